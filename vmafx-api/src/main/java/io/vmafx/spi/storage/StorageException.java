package io.vmafx.spi.storage;

import io.vmafx.api.uri.AssetUri;

/**
 * An asset could not be made readable. The message is one line naming the input and the cause
 * ({@code object not found: s3://bucket/key}); {@link #reason()} classifies it for counters and metrics.
 */
public class StorageException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why preparing failed, as counted by providers and metrics. */
    public enum Cause {
        /** The object does not exist on the remote or disk. */
        NOT_FOUND,
        /** The remote refused the credentials, or the file is not readable. */
        ACCESS_DENIED,
        /** The asset exists but cannot be an input (a directory, a special file). */
        NOT_A_FILE,
        /** A tool the provider runs is missing or exited (rclone not found, rclone died). */
        TOOL_FAILED,
        /** Nothing answered in time. */
        TIMEOUT,
        /** The provider cannot work on this machine (no FUSE, no rclone). */
        UNAVAILABLE,
        /** Anything else. */
        OTHER
    }

    private final transient AssetUri uri;
    private final Cause cause;

    public StorageException(AssetUri uri, Cause cause, String message) {
        this(uri, cause, message, null);
    }

    public StorageException(AssetUri uri, Cause cause, String message, Throwable throwable) {
        super(message, throwable);
        this.uri = uri;
        this.cause = cause;
    }

    /** The input that failed, when known. */
    public AssetUri uri() {
        return uri;
    }

    public Cause reason() {
        return cause;
    }
}
