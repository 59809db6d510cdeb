package io.vmafx.core.bench;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The faults {@link FaultBench} injects into a job, and what a job that met one must say when it fails: its error
 * line must match {@link #cause()}. A job that met none must succeed with the true score (or be cancelled, when
 * the bench cancelled it).
 */
enum FaultKind {
    /** No fault: the job must succeed with the true score of its pair. */
    NONE("none", "(?!)"),
    /** SIGKILL of the rclone process that serves the job's remote ({@code rclone serve http} or {@code rclone mount}). */
    KILL_RCLONE("rclone killed", "(?i)stopped while ffmpeg was reading|rclone .*(exited|died|killed|stopped)|(exited|died|killed) .*rclone"
            + "|connection refused|connection reset|end of file|input/output error|transport endpoint|stalled|cut the read short"),
    /** The distorted source cut to half its size plus a few bytes (not a whole number of frames) while it is read. */
    TRUNCATE("source truncated", "(?i)changed while read|whole number of frames|frames.*(size|began)|cut|truncated|shorter"),
    /** The distorted source replaced ({@code cp new tmp && mv tmp victim}) by another clip while it is read. */
    REPLACE("source replaced", "(?i)changed while read"),
    /** The distorted source deleted while it is read. */
    DELETE("source deleted", "(?i)deleted while read|not found|no such file"),
    /** The mount's VFS cache file system filled up while the job reads a pair it has not cached. */
    CACHE_FULL("cache disk full", "(?i)cache disk full|no space left on device|cut the read short"
            // rclone 1.60's mount sometimes dies when its cache disk is full: the job then names the stopped mount.
            + "|rclone mount .* stopped while ffmpeg was reading");

    /** The faults of each mode, in the order the schedule cycles through them (the cache is the mount's). */
    static List<FaultKind> of(String mode) {
        return mode.equals("mount") ? List.of(KILL_RCLONE, TRUNCATE, REPLACE, DELETE, CACHE_FULL)
                : List.of(KILL_RCLONE, TRUNCATE, REPLACE, DELETE);
    }

    private final String label;
    private final Pattern cause;

    FaultKind(String label, String cause) {
        this.label = label;
        this.cause = Pattern.compile(cause);
    }

    String label() {
        return label;
    }

    /** What the error line of a job that failed because of this fault contains. */
    Pattern cause() {
        return cause;
    }

    /** Whether the fault changes the job's own source file (it then reads a private copy). */
    boolean mutatesSource() {
        return this == TRUNCATE || this == REPLACE || this == DELETE;
    }

    /** Whether it hits every job the node runs at the time, not only the one it was scheduled with. */
    boolean nodeWide() {
        return this == KILL_RCLONE || this == CACHE_FULL;
    }
}
