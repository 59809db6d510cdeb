package io.vmafx.rclone;

import java.util.regex.Pattern;

/**
 * Reads rclone's stderr for what a status code or an errno does not say. rclone answers a listing that the
 * remote refused with a plain 404 (serve) or ENOENT/EIO (mount) and logs the real reason; a node that
 * reported "not found" for a revoked key would send its operator looking for the wrong thing.
 */
public final class RcloneErrors {

    private static final Pattern ACCESS_DENIED = Pattern.compile(
            "AccessDenied|access denied|Forbidden|Unauthorized|InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken"
                    + "|permission denied|authentication failed|unable to authenticate|invalid_grant|status code: 40[13]"
                    + "|HTTP 40[13]|\\b40[13] (Forbidden|Unauthorized)",
            Pattern.CASE_INSENSITIVE);

    /** {@code NOTICE: subject: message}, the level padded to six characters ({@code ERROR :}, {@code INFO  :}). */
    private static final Pattern LEVELLED = Pattern.compile("^(EMERGENCY|ALERT|CRITICAL|ERROR|WARNING|NOTICE|INFO|DEBUG)\\s*:\\s?(.*)$");
    private static final Pattern SERIOUS = Pattern.compile("EMERGENCY|ALERT|CRITICAL|ERROR");
    /** Separates the lines {@code ChildProcess.stderrSince} joins. */
    private static final String JOIN = " | ";

    private RcloneErrors() {
    }

    /**
     * The lines of {@code stderr} (as {@code ChildProcess.stderrSince} joins them) that can be about the object at
     * {@code path} below the remote root: lines whose subject is that object or one of its directories, and serious
     * lines (ERROR and worse) with no subject. A pooled rclone serves many jobs at once and logs about every file it
     * meets ({@code NOTICE: clip.fifo: Can't transfer non file/directory} while it lists a directory), and those are
     * not the reason an object is missing; nor do they say the remote refused the credentials.
     */
    public static String about(String stderr, String path) {
        if (stderr == null || stderr.isBlank()) {
            return "";
        }
        String object = trimSlashes(path);
        StringBuilder kept = new StringBuilder();
        for (String line : stderr.split(java.util.regex.Pattern.quote(JOIN))) {
            if (relevant(line, object)) {
                kept.append(kept.length() == 0 ? "" : JOIN).append(line);
            }
        }
        return kept.toString();
    }

    private static boolean relevant(String line, String object) {
        java.util.regex.Matcher m = LEVELLED.matcher(line.strip());
        if (!m.matches()) {
            return true; // not one of rclone's log lines (a Go panic, a flag error): it may say anything
        }
        String rest = m.group(2);
        int colon = rest.indexOf(": ");
        if (colon < 0) {
            return SERIOUS.matcher(m.group(1)).matches();
        }
        String subject = trimSlashes(rest.substring(0, colon));
        if (subject.isEmpty() || subject.equals(object) || object.startsWith(subject + "/")) {
            return true;
        }
        // A serious line whose "subject" has spaces may be a sentence ("Failed to create file system for ..."),
        // not another file: kept.
        return subject.contains(" ") && SERIOUS.matcher(m.group(1)).matches();
    }

    private static String trimSlashes(String s) {
        return s.replaceAll("^/+|/+$", "");
    }

    /** Whether rclone's {@code stderr} lines say the remote refused the credentials. */
    public static boolean accessDenied(String stderr) {
        return stderr != null && ACCESS_DENIED.matcher(stderr).find();
    }

    /** {@code " (rclone: <lines>)"}, or nothing when rclone said nothing: the tail appended to a message. */
    public static String suffix(String stderr) {
        return stderr == null || stderr.isBlank() ? "" : " (rclone: " + stderr + ")";
    }
}
