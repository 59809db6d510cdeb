package io.vmafx.rclone.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vmafx.spi.NodeSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A local rclone remote for tests, defined without the environment: a temp directory with assets, an rclone
 * config file naming it ({@code media:}, an alias of the directory, and {@code disk:}, plain local), and the
 * settings that point rclone at that file. {@link #close()} deletes the directory. Shared by the tests of the
 * rclone-backed storage modules (test-jar of rclone-support).
 */
public final class TestRemote implements AutoCloseable {

    public static final String CLIP = "dir/my clip é.bin";
    public static final String OTHER = "other/b.bin";
    public static final String WEIRD = "dir/weird #1?%+&.bin";

    public final Path base;
    public final Path source;
    public final Path cacheDir;
    public final Path mountRoot;
    public final Path config;
    public final Map<String, String> values = new HashMap<>();

    public TestRemote() throws IOException {
        base = Files.createTempDirectory("vmafx-rclone-test-");
        source = Files.createDirectories(base.resolve("src"));
        cacheDir = base.resolve("cache");
        mountRoot = base.resolve("mounts");
        config = base.resolve("rclone.conf");
        Files.writeString(config, "[media]\ntype = alias\nremote = " + source + "\n\n[disk]\ntype = local\n");
        write(CLIP, 1 << 20, 1);
        write(OTHER, 64 << 10, 2);
        write(WEIRD, 4096, 3);
        values.put("VMAFX_RCLONE_CONFIG", config.toString());
        values.put("VMAFX_CACHE_DIR", cacheDir.toString());
        values.put("VMAFX_STORAGE_MOUNT_ROOT", mountRoot.toString());
    }

    public byte[] write(String path, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        Path p = source.resolve(path);
        Files.createDirectories(p.getParent());
        Files.write(p, data);
        return data;
    }

    public byte[] bytes(String path) throws IOException {
        return Files.readAllBytes(source.resolve(path));
    }

    /** The settings as core would hand them: a map-backed lookup. */
    public NodeSettings settings() {
        Map<String, String> copy = Map.copyOf(values);
        return v -> Optional.ofNullable(copy.get(v));
    }

    /** These settings plus {@code extra}. */
    public NodeSettings settings(String... extra) {
        Map<String, String> copy = new HashMap<>(values);
        for (int i = 0; i < extra.length; i += 2) {
            copy.put(extra[i], extra[i + 1]);
        }
        return v -> Optional.ofNullable(copy.get(v));
    }

    /** An executable shell script in the temp directory, for a fake rclone. */
    public Path script(String name, String body) throws IOException {
        Path p = base.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    /** Fails unless this JVM has no child process left, waiting up to 3 s for ones being stopped. */
    public static void assertNoChildProcesses() throws InterruptedException {
        long end = System.nanoTime() + 3_000_000_000L;
        List<ProcessHandle> left;
        while (!(left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList()).isEmpty()) {
            if (System.nanoTime() > end) {
                fail("child processes left: " + left.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList());
            }
            Thread.sleep(20);
        }
    }

    /** The pids of this JVM's live child processes. */
    public static List<Long> childPids() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList();
    }

    @Override
    public void close() throws IOException {
        // Only a plain directory tree is deleted: a mount left under it fails the test instead, so nothing
        // is ever deleted through a mount.
        try (Stream<String> mounts = Files.lines(Path.of("/proc/self/mountinfo"))) {
            assertEquals(List.of(), mounts.filter(l -> l.contains(base.toString())).toList(), "mounts under " + base);
        }
        try (Stream<Path> walk = Files.walk(base)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
