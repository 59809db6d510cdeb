/**
 * An example third-party storage plugin: {@code vault://<shelf>/<path>} is the file {@code <path>} on shelf
 * {@code <shelf>}, a directory below {@code VMAFX_VAULT_DIR}. Needs nothing but the node's API.
 */
module io.vmafx.examples.vault {
    requires io.vmafx.api;
    provides io.vmafx.spi.storage.StorageProvider with io.vmafx.examples.vault.VaultStorageProvider;
}
