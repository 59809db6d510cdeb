/** Storage through {@code rclone serve http} on loopback: ffmpeg opens an {@code http://127.0.0.1:PORT/...} URL. */
module io.vmafx.storage.httpserve {
    requires io.vmafx.api;
    requires io.vmafx.rclone;
    requires java.net.http;
    provides io.vmafx.spi.storage.StorageProvider with io.vmafx.storage.httpserve.HttpServeStorageProvider;
}
