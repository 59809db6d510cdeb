/**
 * The node: configuration ({@code config}), provider discovery over the boot layer and the plugins
 * directory ({@code discovery}), the job executor ({@code job}), the scorers ({@code score}), the node's
 * assembly ({@code node}) and the command line ({@code cli}).
 */
module io.vmafx.core {
    requires io.vmafx.api;
    requires info.picocli;
    requires com.fasterxml.jackson.jr.ob;
    requires java.logging;
    requires java.net.http;
    requires org.eclipse.jetty.server;
    // Jetty logs through SLF4J; this provider hands its lines to java.util.logging, formatted like the node's own.
    // Required (not only found by ServiceLoader) so that jlink, which links images without --bind-services, takes it.
    requires org.slf4j.jul;

    uses io.vmafx.spi.storage.StorageProvider;
    uses io.vmafx.spi.bypass.BypassProvider;
    uses io.vmafx.spi.jobstore.JobStoreProvider;

    // picocli reads and sets the commands' annotated fields by reflection.
    opens io.vmafx.core.cli to info.picocli;
}
