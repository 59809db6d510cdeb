package io.vmafx.core.score;

/**
 * Removes URL credentials from text meant for messages and logs: every {@code scheme://user:pass@host}
 * becomes {@code scheme://***@host}. Used by {@link ScoringException} (so no scorer message can leak a
 * password) and by {@link ScoreRequest#toString()}.
 *
 * <p>A scan, not a regular expression: the text is a client's input (a job's URI can be a 60 KB line of letters),
 * and the pattern {@code [A-Za-z][A-Za-z0-9+.-]*://[^/?#\s]*@} backtracks quadratically on a long run of scheme
 * characters, which cost seconds of CPU per message. This visits each character a bounded number of times: each
 * {@code ://} looks back over scheme characters and forward over user-info characters, and neither run can reach
 * past a {@code /}, which every other {@code ://} contains.
 */
final class CredentialRedactor {

    private CredentialRedactor() {
    }

    /**
     * {@code text} with the user info of every URL in it replaced by {@code ***}; null stays null. A URL is a scheme
     * (a letter, then letters, digits, {@code + . -}) and {@code ://}; its user info runs up to the last {@code @}
     * before a {@code / ? #} or whitespace.
     */
    static String redact(String text) {
        if (text == null) {
            return null;
        }
        int sep = text.indexOf("://");
        if (sep < 0) {
            return text;
        }
        StringBuilder out = null;
        int copied = 0; // text before this index is in out (or unchanged, while out is null)
        while (sep >= 0) {
            int userStart = sep + 3;
            int userEnd = userStart; // the end of the run that may hold user info
            int lastAt = -1;
            while (userEnd < text.length() && !endsUserInfo(text.charAt(userEnd))) {
                if (text.charAt(userEnd) == '@') {
                    lastAt = userEnd;
                }
                userEnd++;
            }
            if (lastAt >= 0 && hasScheme(text, sep, copied)) {
                if (out == null) {
                    out = new StringBuilder(text.length());
                }
                out.append(text, copied, userStart).append("***");
                copied = lastAt; // the '@' and what follows are kept
            }
            // The next "://" cannot start inside this run's user info: the run stops before any '/'.
            sep = text.indexOf("://", Math.max(userStart, lastAt + 1));
        }
        if (out == null) {
            return text;
        }
        return out.append(text, copied, text.length()).toString();
    }

    /** Whether a scheme ends right before {@code sep}: scheme characters back to one that is a letter, after {@code floor}. */
    private static boolean hasScheme(String text, int sep, int floor) {
        boolean letter = false;
        for (int i = sep - 1; i >= floor && isSchemeChar(text.charAt(i)); i--) {
            if (isAsciiLetter(text.charAt(i))) {
                letter = true;
                break;
            }
        }
        return letter;
    }

    private static boolean isSchemeChar(char c) {
        return isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '+' || c == '.' || c == '-';
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /** What ends a URL's user info: the path, query or fragment, or whitespace (as {@code \s} means it). */
    private static boolean endsUserInfo(char c) {
        return c == '/' || c == '?' || c == '#' || c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }
}
