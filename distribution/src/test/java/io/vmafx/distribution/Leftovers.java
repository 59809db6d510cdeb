package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a node may leave behind after it exits: {@code rclone} processes, FUSE mounts, files in its mount root
 * and temporary directory. Other people's processes and mounts on the same machine are never counted: a test
 * names its own by a marker, the path of its scratch directory, which every rclone a node starts for it carries
 * on its command line ({@code --config <scratch>/...}).
 */
final class Leftovers {

    private Leftovers() {
    }

    /** Live rclone processes whose command line mentions {@code marker}, but not those in {@code except} (a test's servers). */
    static List<String> rcloneProcesses(String marker, Set<Long> except) {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : proc) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (except.contains(pid)) {
                    continue;
                }
                String[] argv;
                try {
                    argv = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).split("\0");
                } catch (IOException e) {
                    continue; // gone meanwhile
                }
                if (argv.length > 0 && Path.of(argv[0].isEmpty() ? "-" : argv[0]).getFileName().toString().equals("rclone")
                        && String.join(" ", argv).contains(marker)) {
                    found.add(pid + ": " + String.join(" ", argv));
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc: " + e, e);
        }
        return found;
    }

    /** FUSE mounts (any {@code fuse*} type) this process sees at or below {@code dir}, as mountinfo lines. */
    static List<String> fuseMounts(Path dir) {
        String prefix = dir.toAbsolutePath().normalize().toString();
        List<String> found = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                int dash = List.of(f).indexOf("-");
                if (f.length < 5 || dash < 0 || dash + 1 >= f.length) {
                    continue;
                }
                String mountPoint = unescape(f[4]);
                if (f[dash + 1].startsWith("fuse") && (mountPoint.equals(prefix) || mountPoint.startsWith(prefix + "/"))) {
                    found.add(line);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/self/mountinfo: " + e, e);
        }
        return found;
    }

    /** The names in {@code dir}; none when it does not exist. */
    static List<String> entries(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new AssertionError("cannot list " + dir + ": " + e, e);
        }
    }

    /**
     * Asserts that no rclone process mentioning {@code marker} (but the test's servers in {@code servers}) runs,
     * that no FUSE mount is at or below {@code dir}, and that every directory in {@code empty} is empty or
     * absent. Processes get up to 2 s to go: a node that just exited may still be reaping.
     */
    static void assertNone(Path marker, Path dir, Set<Long> servers, Path... empty) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        List<String> processes = rcloneProcesses(marker.toString(), servers);
        while (!processes.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            processes = rcloneProcesses(marker.toString(), servers);
        }
        assertEquals(List.of(), processes, "rclone processes left running");
        assertEquals(List.of(), fuseMounts(dir), "FUSE mounts left behind");
        for (Path d : empty) {
            List<String> left = entries(d).stream().filter(name -> !isNativeLibraryCache(d.resolve(name))).toList();
            assertEquals(List.of(), left, () -> "left in " + d);
        }
    }

    /**
     * The bypass's native library cache ({@code vmafx-native-<uid>}: 0700, holding only content-hash-named
     * {@code .so} files) stays on purpose: the next node start reuses an identical library instead of extracting
     * it again. Anything else there, or another shape, is a leftover.
     */
    static boolean isNativeLibraryCache(Path p) {
        if (!p.getFileName().toString().matches("vmafx-native-\\d+") || !Files.isDirectory(p)) {
            return false;
        }
        try (Stream<Path> files = Files.list(p)) {
            boolean privateDir = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)).equals("rwx------");
            return privateDir && files.allMatch(f -> f.getFileName().toString().matches("[0-9a-f]{16,}[-._].*\\.so|.*-[0-9a-f]{16,}\\.so"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The safety net after a failed test, so that nothing outlives it: kills rclone processes mentioning
     * {@code marker} (not {@code servers}) and lazily unmounts FUSE mounts below it. Never throws.
     */
    static void cleanUp(Path marker, Set<Long> servers) {
        for (String p : rcloneProcesses(marker.toString(), servers)) {
            ProcessHandle.of(Long.parseLong(p.substring(0, p.indexOf(':')))).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (String line : fuseMounts(marker)) {
            String mountPoint = unescape(line.split(" ")[4]);
            try {
                Process u = new ProcessBuilder("fusermount3", "-uz", mountPoint).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                u.waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                // nothing more to do
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Undoes mountinfo's octal escapes ({@code \040} for a space). */
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 4 <= s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
