package io.vmafx.spi.storage;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where rclone's VFS disk cache ({@code --cache-dir}) holds an asset that storage prepared, so that a bypass
 * can find the data file ({@code <cacheDir>/vfs/<remote>/<path>}) and its metadata
 * ({@code <cacheDir>/vfsMeta/<remote>/<path>}), and check it against the remote object.
 *
 * @param cacheDir      the {@code --cache-dir} rclone runs with
 * @param remoteRoot    the remote root rclone serves ({@code media:}, {@code :sftp,host=h:/})
 * @param path          the asset's path below the root
 * @param fusePath      the path on the FUSE mount, or {@code null} for http-serve
 * @param control       the remote control of the rclone process that serves it, or {@code null} when it runs
 *                      without one (a bypass then asks a process of its own)
 */
public record VfsCacheLocation(Path cacheDir, String remoteRoot, String path, Path fusePath, RcloneControl control) {
    public VfsCacheLocation {
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(remoteRoot, "remoteRoot");
        Objects.requireNonNull(path, "path");
    }

    /** A location whose rclone has no remote control. */
    public VfsCacheLocation(Path cacheDir, String remoteRoot, String path, Path fusePath) {
        this(cacheDir, remoteRoot, path, fusePath, null);
    }
}
