/** Storage for local paths and {@code file://} URIs: ffmpeg reads them in place. */
module io.vmafx.storage.local {
    requires io.vmafx.api;
    provides io.vmafx.spi.storage.StorageProvider with io.vmafx.storage.local.LocalStorageProvider;
}
