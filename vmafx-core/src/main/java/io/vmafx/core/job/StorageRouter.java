package io.vmafx.core.job;

import io.vmafx.api.uri.AssetKind;
import io.vmafx.api.uri.AssetUri;
import io.vmafx.core.config.StorageMode;
import io.vmafx.core.discovery.ProviderRegistry;
import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.storage.StorageProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses the storage provider for an input: local paths and {@code file://} always go to {@code local};
 * a plugin's scheme goes to the plugin that claims it; everything else (rclone remotes, {@code http(s)://})
 * goes to the node's storage mode, with {@code auto} meaning {@code mount} where FUSE works, else
 * {@code http-serve}.
 */
public final class StorageRouter {

    private static final System.Logger LOG = System.getLogger(StorageRouter.class.getName());

    private final ProviderRegistry registry;
    private final NodeSettings settings;
    private final StorageMode mode;
    private final Map<String, Availability> availability = new ConcurrentHashMap<>();
    private volatile String resolvedMode;

    public StorageRouter(ProviderRegistry registry, NodeSettings settings, StorageMode mode) {
        this.registry = registry;
        this.settings = settings;
        this.mode = mode;
    }

    /**
     * The provider for {@code uri}.
     *
     * @throws RoutingException when no installed, usable provider can read it; the message says which and why
     */
    public StorageProvider route(AssetUri uri) throws RoutingException {
        if (uri.kind().isLocal()) {
            return usable("local", uri);
        }
        if (uri.kind() == AssetKind.PLUGIN) {
            for (ProviderRegistry.Found<StorageProvider> f : registry.storages()) {
                if (f.provider().schemes().contains(uri.scheme()) && f.provider().handles(uri)) {
                    return usable(f.name(), uri);
                }
            }
            throw new RoutingException("no storage provider handles " + uri.scheme() + ":// (" + uri.input() + ")");
        }
        String name = remoteMode();
        if (name.equals(StorageMode.LOCAL.label())) {
            throw new RoutingException("storage mode 'local' reads only local paths and file:// URIs; "
                    + uri.input() + " needs --storage-mode http-serve or mount");
        }
        StorageProvider p = usable(name, uri);
        if (!p.handles(uri)) {
            throw new RoutingException("storage '" + name + "' cannot read " + uri.input());
        }
        return p;
    }

    /** The mode remote inputs use, {@code auto} resolved. */
    public String remoteMode() {
        if (mode != StorageMode.AUTO) {
            return mode.label();
        }
        String r = resolvedMode;
        if (r == null) {
            Availability mount = availability(StorageMode.MOUNT.label());
            if (mount.usable()) {
                r = StorageMode.MOUNT.label();
            } else {
                r = StorageMode.HTTP_SERVE.label();
                LOG.log(System.Logger.Level.INFO, "storage mode auto: using http-serve because mount is not usable: " + mount.reason());
            }
            resolvedMode = r;
        }
        return r;
    }

    /** The availability of the provider named {@code name}, asked once and remembered. */
    public Availability availability(String name) {
        return availability.computeIfAbsent(name, n -> registry.storage(n)
                .map(p -> p.availability(settings))
                .orElseGet(() -> Availability.unusable("the " + n + " storage module is not installed")));
    }

    private StorageProvider usable(String name, AssetUri uri) throws RoutingException {
        StorageProvider p = registry.storage(name).orElseThrow(() -> new RoutingException(
                "storage '" + name + "' is not installed in this node, so it cannot read " + uri.input()));
        Availability a = availability(name);
        if (!a.usable()) {
            throw new RoutingException("storage '" + name + "' is not usable here (" + a.reason() + "), so it cannot read " + uri.input());
        }
        return p;
    }

    /** No provider can read an input. */
    public static final class RoutingException extends Exception {
        private static final long serialVersionUID = 1L;

        RoutingException(String message) {
            super(message);
        }
    }
}
