package io.vmafx.storage.httpserve;

import io.vmafx.rclone.DirCache;
import io.vmafx.rclone.NetworkTimeouts;
import io.vmafx.rclone.ProcessBudget;
import io.vmafx.spi.NodeSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The http-serve provider's own settings (rclone itself is {@code RcloneTool}'s), read and checked together so that {@code availability} reports a bad
 * value (one sentence naming the variable) and {@code prepare} refuses with the same sentence.
 *
 * @param readyTimeout {@code VMAFX_HTTPSERVE_READY_TIMEOUT} (default 15 s): how long a prepare waits for the asset
 *                     to answer, process start included
 * @param idle         {@code VMAFX_HTTPSERVE_IDLE} (default 60 s): how long a serve process outlives its last lease
 * @param vfsCacheDir  {@code <VMAFX_CACHE_DIR>/httpserve} when {@code VMAFX_HTTPSERVE_VFS_CACHE} is on, else empty
 * @param cacheMaxSize {@code VMAFX_VFS_CACHE_MAX_SIZE} in bytes (default 10G), the same bound as the mount's
 * @param cacheMaxAge  {@code VMAFX_VFS_CACHE_MAX_AGE} (default 1h)
 * @param dirCacheTime {@code VMAFX_RCLONE_DIR_CACHE_TIME} (default 5 s, {@link DirCache}): how long a serve process
 *                     trusts its listing of a directory
 * @param timeouts     {@code VMAFX_READ_TIMEOUT} and {@code VMAFX_RCLONE_CONNECT_TIMEOUT} ({@link NetworkTimeouts}): how
 *                     long a serve process waits on the remote
 * @param maxProcesses {@code VMAFX_RCLONE_MAX_PROCESSES} ({@link ProcessBudget}): rclone processes of both modes at once
 */
record HttpServeSettings(Duration readyTimeout, Duration idle, Optional<Path> vfsCacheDir, long cacheMaxSize, Duration cacheMaxAge,
                         Duration dirCacheTime, NetworkTimeouts timeouts, int maxProcesses) {

    static final String READY_TIMEOUT = "VMAFX_HTTPSERVE_READY_TIMEOUT";
    static final String IDLE = "VMAFX_HTTPSERVE_IDLE";
    static final String VFS_CACHE = "VMAFX_HTTPSERVE_VFS_CACHE";
    static final String CACHE_DIR = "VMAFX_CACHE_DIR";
    static final String CACHE_MAX_SIZE = "VMAFX_VFS_CACHE_MAX_SIZE";
    static final String CACHE_MAX_AGE = "VMAFX_VFS_CACHE_MAX_AGE";
    static final Path DEFAULT_CACHE_DIR = Path.of("/var/cache/vmafx");

    /**
     * @throws IllegalArgumentException for a malformed value; the message names the variable
     */
    static HttpServeSettings read(NodeSettings settings) {
        Duration ready = settings.duration(READY_TIMEOUT, Duration.ofSeconds(15));
        if (ready.isZero()) {
            throw new IllegalArgumentException(READY_TIMEOUT + ": must be more than 0");
        }
        Duration idle = settings.duration(IDLE, Duration.ofSeconds(60));
        Optional<Path> cache = Optional.empty();
        if (settings.flag(VFS_CACHE, false)) {
            Path dir = settings.path(CACHE_DIR).orElse(DEFAULT_CACHE_DIR);
            if (!dir.isAbsolute()) {
                throw new IllegalArgumentException(CACHE_DIR + ": expected an absolute path, got '" + dir + "'");
            }
            cache = Optional.of(dir.resolve("httpserve"));
        }
        long maxSize = settings.size(CACHE_MAX_SIZE, 10L << 30);
        Duration maxAge = settings.duration(CACHE_MAX_AGE, Duration.ofHours(1));
        return new HttpServeSettings(ready, idle, cache, maxSize, maxAge, DirCache.time(settings), NetworkTimeouts.of(settings),
                ProcessBudget.limit(settings));
    }

    /**
     * The flags for {@code rclone serve http} beyond the root and the address: the directory cache time, the network
     * timeouts, then {@link #cacheArgs()}.
     */
    List<String> vfsArgs() {
        List<String> args = new ArrayList<>(DirCache.args(dirCacheTime));
        args.addAll(timeouts.args());
        args.addAll(cacheArgs());
        return args;
    }

    /**
     * The VFS cache flags for {@code rclone serve http}, none when the cache is off. Sizes go as bytes with an
     * explicit {@code B} (a bare number is KiB to rclone), ages in milliseconds.
     */
    List<String> cacheArgs() {
        return vfsCacheDir.map(dir -> List.of("--vfs-cache-mode", "full", "--cache-dir", dir.toString(),
                "--vfs-cache-max-size", cacheMaxSize + "B", "--vfs-cache-max-age", cacheMaxAge.toMillis() + "ms")).orElse(List.of());
    }
}
