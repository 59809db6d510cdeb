package io.vmafx.storage.httpserve;

import io.vmafx.api.uri.AssetKind;
import io.vmafx.api.uri.AssetUri;
import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.StorageException;
import io.vmafx.spi.storage.StorageProvider;

/**
 * The default storage mode: remote assets are served by {@code rclone serve http} on loopback and ffmpeg
 * reads the URL; {@code http(s)://} inputs go to ffmpeg as they are.
 */
public final class HttpServeStorageProvider implements StorageProvider {

    public static final String NAME = "http-serve";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability(NodeSettings settings) {
        return Availability.ok();
    }

    @Override
    public boolean handles(AssetUri uri) {
        return uri.kind() == AssetKind.HTTP || uri.kind().isRclone();
    }

    @Override
    public PreparedInput prepare(AssetUri uri, NodeSettings settings) throws StorageException {
        if (uri.kind() == AssetKind.HTTP) {
            return PreparedInput.of(NAME, uri.url().orElseThrow(), () -> { });
        }
        throw new StorageException(uri, StorageException.Cause.UNAVAILABLE,
                "rclone serve http is not built yet (issue B): cannot read " + uri.input());
    }
}
