package io.vmafx.bypass.ebpf.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code rclone mount <local dir> <mount point> --read-only --vfs-cache-mode off}, so every read goes through
 * FUSE to rclone. {@link #close()} unmounts (fusermount3 -u, lazily if busy), stops rclone and checks that the mount
 * is gone.
 */
final class RcloneMount implements AutoCloseable {

    final Path source;
    final Path mountPoint;
    private final Process rclone;
    private final Path log;

    private RcloneMount(Path source, Path mountPoint, Process rclone, Path log) {
        this.source = source;
        this.mountPoint = mountPoint;
        this.rclone = rclone;
        this.log = log;
    }

    static RcloneMount start(Path source, Path mountPoint, Path work) throws IOException, InterruptedException {
        Files.createDirectories(mountPoint);
        Path conf = work.resolve("rclone.conf");
        if (!Files.exists(conf)) {
            Files.createFile(conf);
        }
        Path log = Files.createTempFile(work, "rclone-", ".log");
        Process p = new ProcessBuilder("rclone", "mount", source.toString(), mountPoint.toString(), "--read-only",
                "--vfs-cache-mode", "off", "--config", conf.toString(), "--dir-cache-time", "1s")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        RcloneMount m = new RcloneMount(source, mountPoint, p, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!m.mounted()) {
            if (!p.isAlive()) {
                throw new IOException("rclone mount exited with " + p.exitValue() + ": " + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                m.close();
                throw new IOException("rclone mount did not show up at " + mountPoint + " in 20 s: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return m;
    }

    /** Whether /proc/self/mountinfo lists a FUSE mount at the mount point. */
    boolean mounted() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].equals(mountPoint.toString()) && line.contains(" - fuse")) {
                return true;
            }
        }
        return false;
    }

    long rclonePid() {
        return rclone.pid();
    }

    @Override
    public void close() throws IOException {
        try {
            if (mounted()) {
                TestSystem.Result r = TestSystem.run(List.of("fusermount3", "-u", mountPoint.toString()), 30);
                if (r.exit() != 0 && mounted()) {
                    TestSystem.run(List.of("fusermount3", "-uz", mountPoint.toString()), 30);
                }
            }
            if (!rclone.waitFor(10, TimeUnit.SECONDS)) {
                rclone.destroy();
                if (!rclone.waitFor(5, TimeUnit.SECONDS)) {
                    rclone.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            if (mounted()) {
                throw new IOException("still mounted after unmount: " + mountPoint);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            rclone.destroyForcibly();
            throw new IOException("interrupted while unmounting " + mountPoint, e);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
