package io.vmafx.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.api.uri.UriRules;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.StorageMode;
import io.vmafx.core.discovery.ProviderRegistry;
import io.vmafx.core.testing.ForwardingStorageProvider;
import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.StorageProvider;
import io.vmafx.storage.fuse.MountStorageProvider;
import io.vmafx.storage.httpserve.HttpServeStorageProvider;
import io.vmafx.storage.local.LocalStorageProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which provider reads which input, with the node's real providers and a plugin of the test's own. */
class StorageRouterTest {

    @TempDir
    Path home;

    private final StorageProvider local = new LocalStorageProvider();
    private final StorageProvider httpServe = new HttpServeStorageProvider();
    private final StorageProvider plugin = new VaultStorage();

    private StorageRouter router(StorageMode mode, StorageProvider mount) throws Exception {
        NodeConfig config = NodeConfig.load(Map.of(), Map.of(), home);
        return new StorageRouter(ProviderRegistry.of(List.of(local, httpServe, mount, plugin), List.of()), config, mode);
    }

    private static AssetUri uri(String text) {
        return AssetUri.parse(text, UriRules.defaults().withPluginSchemes(Set.of("vault")));
    }

    @Test
    void localPathsGoToLocalWhateverTheMode() throws Exception {
        for (StorageMode mode : StorageMode.values()) {
            StorageRouter r = router(mode, new MountStorageProvider());
            assertSame(local, r.route(uri("/clips/ref.y4m")), mode.label());
            assertSame(local, r.route(uri("file:///clips/ref.y4m")), mode.label());
        }
    }

    @Test
    void remoteInputsGoToTheMode() throws Exception {
        assertSame(httpServe, router(StorageMode.HTTP_SERVE, new MountStorageProvider()).route(uri("s3://bucket/key.mp4")));
        StorageProvider usableMount = new Usable(new MountStorageProvider());
        assertSame(usableMount, router(StorageMode.MOUNT, usableMount).route(uri("media:clips/a.mp4")));
    }

    @Test
    void localModeRefusesRemoteInputsWithOneLine() throws Exception {
        var e = assertThrows(StorageRouter.RoutingException.class,
                () -> router(StorageMode.LOCAL, new MountStorageProvider()).route(uri("s3://bucket/key.mp4")));
        assertEquals("storage mode 'local' reads only local paths and file:// URIs; s3://bucket/key.mp4 needs "
                + "--storage-mode http-serve or mount", e.getMessage());
    }

    @Test
    void autoUsesMountWhereUsableElseHttpServe() throws Exception {
        StorageProvider unusable = new Unusable(new MountStorageProvider(), "/dev/fuse is missing");
        StorageRouter fallback = router(StorageMode.AUTO, unusable);
        assertEquals("http-serve", fallback.remoteMode());
        assertSame(httpServe, fallback.route(uri("s3://bucket/key.mp4")));

        StorageProvider usable = new Usable(new MountStorageProvider());
        StorageRouter auto = router(StorageMode.AUTO, usable);
        assertEquals("mount", auto.remoteMode());
        assertSame(usable, auto.route(uri("s3://bucket/key.mp4")));
    }

    @Test
    void explicitUnusableModeFailsWithItsReason() throws Exception {
        StorageRouter r = router(StorageMode.MOUNT, new Unusable(new MountStorageProvider(), "/dev/fuse is missing"));
        var e = assertThrows(StorageRouter.RoutingException.class, () -> r.route(uri("s3://bucket/key.mp4")));
        assertEquals("storage 'mount' is not usable here (/dev/fuse is missing), so it cannot read s3://bucket/key.mp4",
                e.getMessage());
    }

    @Test
    void pluginSchemesGoToThePluginThatClaimsThem() throws Exception {
        assertSame(plugin, router(StorageMode.HTTP_SERVE, new MountStorageProvider()).route(uri("vault://shelf/a.mp4")));
    }

    @Test
    void aModeWhoseModuleIsLeftOutSaysSo() throws Exception {
        NodeConfig config = NodeConfig.load(Map.of(), Map.of(), home);
        StorageRouter r = new StorageRouter(ProviderRegistry.of(List.of(local), List.of()), config, StorageMode.HTTP_SERVE);
        var e = assertThrows(StorageRouter.RoutingException.class, () -> r.route(uri("s3://bucket/key.mp4")));
        assertEquals("storage 'http-serve' is not installed in this node, so it cannot read s3://bucket/key.mp4", e.getMessage());
    }

    /** A plugin of the test's own, claiming vault://. */
    private static final class VaultStorage implements StorageProvider {
        @Override
        public String name() {
            return "vault";
        }

        @Override
        public Availability availability(NodeSettings settings) {
            return Availability.ok();
        }

        @Override
        public Set<String> schemes() {
            return Set.of("vault");
        }

        @Override
        public boolean handles(AssetUri uri) {
            return uri.scheme().equals("vault");
        }

        @Override
        public PreparedInput prepare(AssetUri uri, NodeSettings settings) {
            return PreparedInput.of(name(), "/vault/" + uri.path(), () -> { });
        }
    }

    /** A real provider whose availability the test decides (FUSE's presence cannot be switched on demand). */
    private static class Unusable extends ForwardingStorageProvider {
        final String reason;

        Unusable(StorageProvider real, String reason) {
            super(real);
            this.reason = reason;
        }

        @Override
        public Availability availability(NodeSettings settings) {
            return Availability.unusable(reason);
        }
    }

    private static final class Usable extends Unusable {
        Usable(StorageProvider real) {
            super(real, "unused");
        }

        @Override
        public Availability availability(NodeSettings settings) {
            return Availability.ok();
        }
    }
}
