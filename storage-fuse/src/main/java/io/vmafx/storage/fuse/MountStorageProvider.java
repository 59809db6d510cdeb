package io.vmafx.storage.fuse;

import io.vmafx.api.uri.AssetKind;
import io.vmafx.api.uri.AssetUri;
import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.StorageException;
import io.vmafx.spi.storage.StorageProvider;

/** Storage through a read-only {@code rclone mount}: ffmpeg opens a path on the FUSE mount. */
public final class MountStorageProvider implements StorageProvider {

    public static final String NAME = "mount";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability(NodeSettings settings) {
        return Availability.unusable("rclone mount is not built yet (issue B)");
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
                "rclone mount is not built yet (issue B): cannot read " + uri.input());
    }
}
