/**
 * The contracts of a vmafx node: the asset URI model and the service interfaces that storage,
 * bypass and job store providers implement. Third-party plugins compile against this module alone.
 *
 * <p>Depends on nothing but {@code java.base}, so a plugin pulls in no library of ours.
 */
module io.vmafx.api {
    exports io.vmafx.api.uri;
    exports io.vmafx.spi;
    exports io.vmafx.spi.storage;
    exports io.vmafx.spi.bypass;
    exports io.vmafx.spi.jobstore;
}
