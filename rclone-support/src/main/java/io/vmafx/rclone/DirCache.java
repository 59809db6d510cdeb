package io.vmafx.rclone;

import io.vmafx.spi.NodeSettings;
import java.time.Duration;
import java.util.List;

/**
 * How long a pooled rclone trusts its listing of a directory: {@code VMAFX_RCLONE_DIR_CACHE_TIME} (default
 * {@value #DEFAULT_TEXT}), passed to {@code rclone serve http} and {@code rclone mount} as {@code --dir-cache-time}.
 *
 * <p>rclone's VFS answers "no such file" and reports sizes from its cached listing of the directory. Its own
 * default, 5 minutes, would let a process that is kept warm across jobs deny an object uploaded after it listed
 * the directory, and describe a replaced one with its old size, for that long. A new object is found anyway
 * (a warm miss is checked on the remote, see {@link WarmMiss}); this bounds how long a replaced object can be
 * seen as it was: a job that starts at least this long after the replacement reads the new one. Shorter means
 * more listings of the remote, longer means a longer window.
 */
public final class DirCache {

    public static final String TIME = "VMAFX_RCLONE_DIR_CACHE_TIME";
    static final String DEFAULT_TEXT = "5s";
    public static final Duration DEFAULT = Duration.ofSeconds(5);

    private DirCache() {
    }

    /**
     * The configured time; {@code 0} means rclone lists the directory on every lookup.
     *
     * @throws IllegalArgumentException for a malformed value; the message names the variable
     */
    public static Duration time(NodeSettings settings) {
        return settings.duration(TIME, DEFAULT);
    }

    /** {@code --dir-cache-time <millis>ms}: milliseconds, which rclone's duration parser takes like Go's. */
    public static List<String> args(Duration time) {
        return List.of("--dir-cache-time", time.toMillis() + "ms");
    }

    /** {@code 5 s}, {@code 500 ms}, {@code 5 min} or {@code 1 h}, for messages. */
    public static String describe(Duration time) {
        long ms = time.toMillis();
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + " h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + " min";
        }
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
