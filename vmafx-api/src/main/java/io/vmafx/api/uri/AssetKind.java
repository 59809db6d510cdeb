package io.vmafx.api.uri;

/** What an asset URI names, and so which storage can read it. */
public enum AssetKind {
    /** {@code /abs/path} or a relative path without {@code ..}: read in place. */
    LOCAL_PATH,
    /** {@code file:///abs/path}: read in place. */
    FILE_URI,
    /** {@code http://} or {@code https://}: ffmpeg opens the URL itself. */
    HTTP,
    /** {@code s3://bucket/key}: the configured S3 remote. */
    S3,
    /** {@code gcs://bucket/dir/file}: the configured Google Cloud Storage remote. */
    GCS,
    /** {@code azblob://container/blob}: the configured Azure Blob remote. */
    AZBLOB,
    /** {@code sftp://user@host[:port]/path}: an rclone on-the-fly sftp connection string. */
    SFTP,
    /** {@code rclone://remote:path}: an rclone remote spelled as a URI. */
    RCLONE,
    /** {@code remote:path}: an rclone remote, passed through; also {@code name://path} for a configured remote. */
    REMOTE,
    /** {@code scheme://...} for a scheme a storage plugin claims. */
    PLUGIN;

    /** Whether the bytes are on this machine's file system. */
    public boolean isLocal() {
        return this == LOCAL_PATH || this == FILE_URI;
    }

    /** Whether rclone reads this kind (it then has an {@link AssetUri#rclone()} target). */
    public boolean isRclone() {
        return this == S3 || this == GCS || this == AZBLOB || this == SFTP || this == RCLONE || this == REMOTE;
    }
}
