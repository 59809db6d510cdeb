package io.vmafx.core.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs the bench mounts itself (root only) as the mount-mode node's {@code VMAFX_CACHE_DIR}: rclone's VFS
 * cache lives in it, and {@link #fill()} writes a ballast file until the file system is full, so that rclone's next
 * cache write fails with "no space left on device"; {@link #drain()} removes the ballast. {@link #close()} unmounts
 * it on every way out; a tmpfs keeps nothing once unmounted.
 */
final class CacheTmpfs implements AutoCloseable {

    private final Path mountPoint;
    private final Path cache;
    private final Path ballast;
    private int fills;
    private boolean mounted;

    private CacheTmpfs(Path mountPoint) {
        this.mountPoint = mountPoint;
        this.cache = mountPoint.resolve("cache");
        this.ballast = mountPoint.resolve("ballast");
    }

    /**
     * Mounts a tmpfs of {@code megabytes} at {@code mountPoint} (created when missing), mode 0700.
     *
     * @throws IOException when it cannot be mounted (not root, no mount(8)), with mount's own words
     */
    static CacheTmpfs mount(Path mountPoint, int megabytes) throws IOException, InterruptedException {
        Files.createDirectories(mountPoint);
        run(List.of("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m,mode=0700", "vmafx-bench-cache", mountPoint.toString()));
        CacheTmpfs t = new CacheTmpfs(mountPoint);
        t.mounted = true;
        Files.createDirectories(t.cache);
        return t;
    }

    /** The directory for {@code VMAFX_CACHE_DIR}, inside the tmpfs. */
    Path cacheDir() {
        return cache;
    }

    /**
     * Fills the file system (the first of overlapping fills writes the ballast) and keeps it full until the last
     * {@link #drain()}: rclone's cache cleaner frees space as it evicts, which is topped up every 20 ms.
     */
    synchronized void fill() throws IOException {
        if (fills++ > 0) {
            return;
        }
        topUp();
        Thread keeper = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(20);
                    synchronized (this) {
                        if (fills == 0) {
                            return;
                        }
                        topUp();
                    }
                }
            } catch (InterruptedException | IOException e) {
                // stops keeping it full
            }
        }, "vmafx-bench-cache-ballast");
        keeper.setDaemon(true);
        keeper.start();
    }

    /** Appends to the ballast until the file system has no byte left. */
    private void topUp() throws IOException {
        if (free() == 0) {
            return;
        }
        byte[] block = new byte[64 * 1024];
        java.util.Arrays.fill(block, (byte) 0x5a);
        try (OutputStream out = Files.newOutputStream(ballast, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // "No space left on device": what was wanted.
        }
        // Single bytes into whatever the last block left.
        try (OutputStream out = Files.newOutputStream(ballast, java.nio.file.StandardOpenOption.APPEND)) {
            for (int i = 0; i < block.length; i++) {
                out.write(0x5a);
                out.flush();
            }
        } catch (IOException full) {
            // full to the byte
        }
    }

    /** Removes the ballast when the last overlapping fill is drained. */
    synchronized void drain() throws IOException {
        if (fills > 0 && --fills == 0) {
            Files.deleteIfExists(ballast);
        }
    }

    /** Bytes free on it now. */
    long free() throws IOException {
        return Files.getFileStore(mountPoint).getUsableSpace();
    }

    /** Unmounts it (lazily when busy); idempotent. Returns null when done, else why it is still mounted. */
    synchronized String unmount() throws InterruptedException {
        if (!mounted) {
            return null;
        }
        try {
            run(List.of("umount", mountPoint.toString()));
        } catch (IOException busy) {
            try {
                run(List.of("umount", "-l", mountPoint.toString()));
            } catch (IOException e) {
                return "cannot unmount the cache tmpfs " + mountPoint + ": " + e.getMessage();
            }
        }
        mounted = false;
        return null;
    }

    @Override
    public void close() throws InterruptedException {
        unmount();
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not end within 30 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + (said.isEmpty() ? "" : ": " + said));
        }
    }
}
