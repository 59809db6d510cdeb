package io.vmafx.bypass.ebpf.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.storage.VfsCacheLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A real rclone serving a local directory, for the bypass tests: a temp directory with the assets ({@code src/}),
 * an rclone.conf of its own ({@code media:} an alias of {@code src}, {@code disk:} plain local, {@code m2:} an
 * alias of {@code disk:<src>/dir}), a VFS cache directory, and real read-only {@code rclone mount}s with the flags
 * the mount provider uses ({@code --vfs-cache-mode full --cache-dir ...}; the directory cache time 1 s instead of
 * 5 s so that changed sources show sooner). {@link #close()} unmounts, stops rclone and checks that no mount and no
 * child process is left before it deletes the directory (never through a mount).
 */
final class RcloneFixture implements AutoCloseable {

    final Path base;
    final Path source;
    final Path cacheDir;
    final Path mountRoot;
    final Path config;
    private final List<Mount> mounts = new ArrayList<>();

    RcloneFixture() throws IOException {
        base = Files.createTempDirectory("vmafx-bypass-test-");
        source = Files.createDirectories(base.resolve("src"));
        cacheDir = base.resolve("cache");
        mountRoot = Files.createDirectories(base.resolve("mounts"));
        config = base.resolve("rclone.conf");
        Files.writeString(config, "[media]\ntype = alias\nremote = " + source + "\n\n[disk]\ntype = local\n\n"
                + "[m2]\ntype = alias\nremote = disk:" + source + "/dir\n");
    }

    /** Writes {@code size} pseudo-random bytes (from {@code seed}) to {@code src/<path>}. */
    byte[] write(String path, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        Path p = source.resolve(path);
        Files.createDirectories(p.getParent());
        Files.write(p, data);
        return data;
    }

    Path src(String path) {
        return source.resolve(path);
    }

    Rclone rclone() {
        return new Rclone(Path.of(io.vmafx.rclone.Executables.find("rclone").orElseThrow().toString()), Optional.of(config));
    }

    /** The settings a node would hand the provider, with {@code extra} pairs on top. */
    NodeSettings settings(String... extra) {
        Map<String, String> m = new HashMap<>();
        m.put("VMAFX_RCLONE_CONFIG", config.toString());
        m.put("VMAFX_CACHE_DIR", cacheDir.toString());
        m.put("VMAFX_STORAGE_MOUNT_ROOT", mountRoot.toString());
        for (int i = 0; i < extra.length; i += 2) {
            m.put(extra[i], extra[i + 1]);
        }
        return v -> Optional.ofNullable(m.get(v));
    }

    /** A running {@code rclone mount <root>}. */
    final class Mount {
        final String root;
        final Path dir;
        final Process process;

        Mount(String root, Path dir, Process process) {
            this.root = root;
            this.dir = dir;
            this.process = process;
        }

        Path file(String path) {
            return dir.resolve(path);
        }

        /** What storage-fuse hands the bypass for {@code path} on this mount. */
        VfsCacheLocation location(String path) {
            return new VfsCacheLocation(cacheDir, root, path, file(path));
        }

        void unmount() throws IOException, InterruptedException {
            if (!process.isAlive() && !mounted(dir)) {
                return;
            }
            run("fusermount3", "-u", dir.toString());
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            if (mounted(dir)) {
                run("fusermount3", "-uz", dir.toString());
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Mounts {@code root} read-only with a full VFS cache in {@link #cacheDir}; waits until the kernel lists it. */
    Mount mount(String root) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(mountRoot.resolve("m" + mounts.size()));
        Path log = base.resolve("rclone-" + mounts.size() + ".log");
        List<String> cmd = List.of("rclone", "--config", config.toString(), "mount", root, dir.toString(), "--read-only",
                "--dir-cache-time", "1s", "--vfs-cache-mode", "full", "--cache-dir", cacheDir.toString(),
                "--vfs-cache-max-size", "10737418240B", "--vfs-cache-max-age", "3600000ms", "--log-file", log.toString(), "-v");
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Mount m = new Mount(root, dir, p);
        mounts.add(m);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!mounted(dir)) {
            if (!p.isAlive()) {
                fail("rclone mount " + root + " exited with " + p.exitValue() + ": " + Files.readString(log));
            }
            if (System.nanoTime() > end) {
                fail("rclone mount " + root + " did not mount within 15 s");
            }
            Thread.sleep(20);
        }
        return m;
    }

    static boolean mounted(Path dir) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            return lines.anyMatch(l -> l.split(" ")[4].equals(dir.toString()));
        } catch (IOException e) {
            return false;
        }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    /** Reads {@code file} to the end (through the mount: the VFS cache gets the whole file). */
    static byte[] readAll(Path file) throws IOException {
        return Files.readAllBytes(file);
    }

    /** The metadata file rclone keeps for {@code path} below {@code fs}, parsed, or null while there is none. */
    VfsMeta meta(RemoteFs fs, String path) {
        return metaAt(fs.metaDir(cacheDir).resolve(path));
    }

    /** The metadata file {@code file}, parsed, or null while it is missing or half written. */
    VfsMeta metaAt(Path file) {
        try {
            return VfsMeta.parse(Files.readAllBytes(file));
        } catch (IOException | VfsMeta.FormatException e) {
            return null;
        }
    }

    /** Waits up to {@code seconds} for {@code condition}; fails with {@code what} otherwise. */
    static void await(String what, double seconds, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out after " + seconds + " s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    static String md5(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** A whole-second modification time, so that setting it again later restores it exactly. */
    static final FileTime FIXED_MTIME = FileTime.fromMillis(1_700_000_000_000L);

    /** Everything below {@code dir}, relative, sorted (an empty list when it does not exist). */
    static List<String> tree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    /** Fails unless this JVM has no child process left, waiting up to 5 s for ones being stopped. */
    static void assertNoChildProcesses() throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        List<ProcessHandle> left;
        while (!(left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList()).isEmpty()) {
            if (System.nanoTime() > end) {
                fail("child processes left: " + left.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList());
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            for (Mount m : mounts) {
                m.unmount();
            }
            assertNoChildProcesses();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting", e);
        }
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            assertEquals(List.of(), lines.filter(l -> l.contains(base.toString())).toList(), "mounts left under " + base);
        }
        try (Stream<Path> walk = Files.walk(base)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
