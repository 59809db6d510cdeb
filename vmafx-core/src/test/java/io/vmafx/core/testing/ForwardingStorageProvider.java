package io.vmafx.core.testing;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.StorageException;
import io.vmafx.spi.storage.StorageProvider;

/**
 * A real provider, forwarded to; tests override the one method where they record or inject a fault the real
 * provider cannot produce on demand (a prepare that blocks, FUSE's absence).
 */
public class ForwardingStorageProvider implements StorageProvider {

    protected final StorageProvider real;

    public ForwardingStorageProvider(StorageProvider real) {
        this.real = real;
    }

    @Override
    public String name() {
        return real.name();
    }

    @Override
    public Availability availability(NodeSettings settings) {
        return real.availability(settings);
    }

    @Override
    public boolean handles(AssetUri uri) {
        return real.handles(uri);
    }

    @Override
    public PreparedInput prepare(AssetUri uri, NodeSettings settings) throws StorageException, InterruptedException {
        return real.prepare(uri, settings);
    }
}
