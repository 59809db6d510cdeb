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

    private RcloneErrors() {
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
