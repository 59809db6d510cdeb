package io.vmafx.bypass.ebpf.cache;

/**
 * Why an input was not bypassed: a counter key ({@code declined_<key>}) and the sentence the job's result shows.
 * The input is then read through FUSE as before (which warms rclone's cache for the next job).
 */
public enum Decline {
    /** The bypass is off or not started (provider). */
    NOT_STARTED("not_started", "the bypass is not started"),
    /** The node is shutting down. */
    CLOSED("closed", "the bypass is shutting down"),
    /** Storage did not read it through an rclone VFS cache (provider). */
    NO_VFS_CACHE("no_vfs_cache", "not read through an rclone VFS cache"),
    /** Read through a VFS cache but neither through a mount nor rclone serve http: a plugin's storage (provider). */
    NOT_MOUNTED("not_mounted", "not read through a FUSE mount or rclone serve http"),
    /** Its mount is not below {@code VMAFX_EBPF_MOUNT_PREFIX} (provider). */
    NOT_WATCHED("not_watched", "not on a watched mount"),
    /** A path rclone would write differently in its cache (rare characters rclone's encoder escapes). */
    UNSUPPORTED_PATH("unsupported_path", "the path has characters rclone encodes in its cache"),
    /** No metadata or no data file: never read through the mount, or evicted. */
    NOT_CACHED("not_cached", "not in the cache"),
    /** The metadata is not what rclone 1.60 writes. */
    BAD_METADATA("bad_metadata", "the cache metadata cannot be read"),
    /** The item holds local writes (never on a read-only mount, but rclone says so). */
    DIRTY("dirty", "cache file is dirty"),
    /** Some bytes of the object are not in the data file. */
    INCOMPLETE("incomplete", "cache file incomplete"),
    /** The fingerprint has neither a modification time nor a hash: a change of the same size would not show. */
    UNVERIFIABLE("unverifiable", "cannot tell whether the remote object changed"),
    /** The remote could not be asked (rclone failed, timed out). */
    REMOTE_UNKNOWN("remote_unknown", "cannot check the remote object"),
    /** The remote has no object there any more. */
    GONE("gone", "the remote object is gone"),
    /** Size, modification time or hash differ from what was cached. */
    CHANGED("changed", "remote object changed since it was cached"),
    /** rclone evicted, replaced or rewrote the cache file while it was being checked. */
    RACE("race", "the cache file changed while it was being checked"),
    /** The hard link could not be made. */
    LINK_FAILED("link_failed", "cannot link the cache file"),
    /** The job was cancelled while the decision ran. */
    INTERRUPTED("interrupted", "interrupted while checking the cache"),
    /** Anything else that went wrong: a bypass never fails a job. */
    ERROR("error", "bypass error");

    private final String key;
    private final String sentence;

    Decline(String key, String sentence) {
        this.key = key;
        this.sentence = sentence;
    }

    /** The counter suffix: {@code declined_<key>}. */
    public String key() {
        return key;
    }

    /** The reason as the job's result shows it. */
    public String sentence() {
        return sentence;
    }

    /** The reason with a detail: {@code cache file incomplete (73% cached)}. */
    public String sentence(String detail) {
        return detail == null || detail.isBlank() ? sentence : sentence + " (" + detail + ")";
    }
}
