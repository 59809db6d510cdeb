package io.vmafx.core.score;

import java.util.regex.Pattern;

/**
 * Removes URL credentials from text meant for messages and logs: every {@code scheme://user:pass@host}
 * becomes {@code scheme://***@host}. Used by {@link ScoringException} (so no scorer message can leak a
 * password) and by {@link ScoreRequest#toString()}.
 */
final class CredentialRedactor {

    /** A scheme, then user info up to the last {@code @} before the path, query, fragment or whitespace. */
    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\\s]*@");

    private CredentialRedactor() {
    }

    /** {@code text} with the user info of every URL in it replaced by {@code ***}; null stays null. */
    static String redact(String text) {
        if (text == null || text.indexOf("://") < 0) {
            return text;
        }
        return USER_INFO.matcher(text).replaceAll("$1***@");
    }
}
