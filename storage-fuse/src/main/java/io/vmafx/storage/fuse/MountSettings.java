package io.vmafx.storage.fuse;

import io.vmafx.rclone.DirCache;
import io.vmafx.rclone.NetworkTimeouts;
import io.vmafx.rclone.ProcessBudget;
import io.vmafx.spi.NodeSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The mount provider's own settings (rclone itself is {@code RcloneTool}'s), read and checked together so that
 * {@code availability} reports a bad value in one sentence naming the variable and {@code prepare} refuses
 * with the same sentence.
 *
 * @param mountRoot    {@code VMAFX_STORAGE_MOUNT_ROOT} (default {@code /run/vmafx/mounts}): one directory per remote root below it
 * @param cacheDir     {@code VMAFX_CACHE_DIR} (default {@code /var/cache/vmafx}): rclone's {@code --cache-dir}, kept across mounts
 * @param cacheMode    {@code VMAFX_VFS_CACHE_MODE}: {@code full} (default), {@code writes}, {@code minimal} or {@code off}
 *                     (nodes without local disk)
 * @param cacheMaxSize {@code VMAFX_VFS_CACHE_MAX_SIZE} in bytes (default 10G)
 * @param cacheMaxAge  {@code VMAFX_VFS_CACHE_MAX_AGE} (default 1h)
 * @param readyTimeout {@code VMAFX_MOUNT_READY_TIMEOUT} (default 20 s): mount plus asset visible
 * @param idle         {@code VMAFX_MOUNT_IDLE} (default 60 s): how long a mount outlives its last lease
 * @param dirCacheTime {@code VMAFX_RCLONE_DIR_CACHE_TIME} (default 5 s, {@link DirCache}): how long a mount trusts
 *                     its listing of a directory
 * @param timeouts     {@code VMAFX_READ_TIMEOUT} and {@code VMAFX_RCLONE_CONNECT_TIMEOUT} ({@link NetworkTimeouts}): how
 *                     long a mount's rclone waits on the remote
 * @param maxProcesses {@code VMAFX_RCLONE_MAX_PROCESSES} ({@link ProcessBudget}): rclone processes of both modes at once
 */
record MountSettings(Path mountRoot, Path cacheDir, String cacheMode, long cacheMaxSize, Duration cacheMaxAge,
                     Duration readyTimeout, Duration idle, Duration dirCacheTime, NetworkTimeouts timeouts, int maxProcesses) {

    static final String MOUNT_ROOT = "VMAFX_STORAGE_MOUNT_ROOT";
    static final String CACHE_DIR = "VMAFX_CACHE_DIR";
    static final String CACHE_MODE = "VMAFX_VFS_CACHE_MODE";
    static final String CACHE_MAX_SIZE = "VMAFX_VFS_CACHE_MAX_SIZE";
    static final String CACHE_MAX_AGE = "VMAFX_VFS_CACHE_MAX_AGE";
    static final String READY_TIMEOUT = "VMAFX_MOUNT_READY_TIMEOUT";
    static final String IDLE = "VMAFX_MOUNT_IDLE";
    private static final List<String> MODES = List.of("off", "minimal", "writes", "full");

    /**
     * @throws IllegalArgumentException for a malformed value; the message names the variable
     */
    static MountSettings read(NodeSettings settings) {
        Path mountRoot = absolute(settings, MOUNT_ROOT, "/run/vmafx/mounts");
        Path cacheDir = absolute(settings, CACHE_DIR, "/var/cache/vmafx");
        String mode = settings.get(CACHE_MODE).map(String::trim).filter(s -> !s.isEmpty()).orElse("full").toLowerCase(Locale.ROOT);
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException(CACHE_MODE + ": expected one of off, minimal, writes, full, got '" + mode + "'");
        }
        long maxSize = settings.size(CACHE_MAX_SIZE, 10L << 30);
        Duration maxAge = settings.duration(CACHE_MAX_AGE, Duration.ofHours(1));
        Duration ready = settings.duration(READY_TIMEOUT, Duration.ofSeconds(20));
        if (ready.isZero()) {
            throw new IllegalArgumentException(READY_TIMEOUT + ": must be more than 0");
        }
        Duration idle = settings.duration(IDLE, Duration.ofSeconds(60));
        return new MountSettings(mountRoot, cacheDir, mode, maxSize, maxAge, ready, idle, DirCache.time(settings),
                NetworkTimeouts.of(settings), ProcessBudget.limit(settings));
    }

    private static Path absolute(NodeSettings settings, String variable, String fallback) {
        Path p = settings.path(variable).orElse(Path.of(fallback));
        if (!p.isAbsolute()) {
            throw new IllegalArgumentException(variable + ": expected an absolute path, got '" + p + "'");
        }
        return p.normalize();
    }

    /** Whether rclone keeps a disk cache a bypass could read (any mode but {@code off}). */
    boolean cached() {
        return !cacheMode.equals("off");
    }

    /**
     * The flags for {@code rclone mount} after the root, the directory and {@code --read-only}: the directory
     * cache time, the network timeouts, then {@link #cacheArgs()}.
     */
    List<String> vfsArgs() {
        List<String> args = new ArrayList<>(DirCache.args(dirCacheTime));
        args.addAll(timeouts.args());
        args.addAll(cacheArgs());
        return args;
    }

    /**
     * The cache flags for {@code rclone mount}. Sizes go as bytes with an explicit {@code B}: a bare number is
     * KiB to rclone. Ages go in milliseconds, which rclone's duration parser takes like Go's.
     */
    List<String> cacheArgs() {
        if (!cached()) {
            return List.of("--vfs-cache-mode", "off");
        }
        return List.of("--vfs-cache-mode", cacheMode, "--cache-dir", cacheDir.toString(),
                "--vfs-cache-max-size", cacheMaxSize + "B", "--vfs-cache-max-age", cacheMaxAge.toMillis() + "ms");
    }
}
