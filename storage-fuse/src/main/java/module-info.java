/** Storage through {@code rclone mount} (FUSE, read-only): ffmpeg opens a path on the mount. */
module io.vmafx.storage.fuse {
    requires io.vmafx.api;
    requires io.vmafx.rclone;
    provides io.vmafx.spi.storage.StorageProvider with io.vmafx.storage.fuse.MountStorageProvider;
}
