package io.vmafx.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a node may leave behind once closed: child processes, FUSE mounts, directories. Other people's processes
 * and mounts on the same machine never count: a test names its own by a marker, its scratch directory, which
 * every rclone a node starts for it carries on its command line ({@code --config <scratch>/rclone.conf}).
 */
public final class Leftovers {

    private Leftovers() {
    }

    /** Live descendants of this JVM whose executable's file name is {@code name}, as "pid command line". */
    public static List<String> descendants(String name) {
        return ProcessHandle.current().descendants()
                .filter(h -> h.isAlive() && h.info().command().map(c -> Path.of(c).getFileName().toString().equals(name)).orElse(false))
                .map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).toList();
    }

    /** Live rclone processes anywhere whose command line mentions {@code marker} (reparented ones included). */
    public static List<String> rcloneProcesses(String marker) {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : proc) {
                String[] argv;
                try {
                    argv = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).split("\0");
                } catch (IOException e) {
                    continue;
                }
                if (argv.length > 0 && !argv[0].isEmpty() && Path.of(argv[0]).getFileName().toString().equals("rclone")
                        && String.join(" ", argv).contains(marker)) {
                    found.add(p.getFileName() + " " + String.join(" ", argv));
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc: " + e, e);
        }
        return found;
    }

    /** FUSE mounts this process sees at or below {@code dir}, as mountinfo lines. */
    public static List<String> fuseMounts(Path dir) {
        String prefix = dir.toAbsolutePath().normalize().toString();
        List<String> found = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                int dash = List.of(f).indexOf("-");
                if (f.length > 4 && dash > 0 && dash + 1 < f.length && f[dash + 1].startsWith("fuse")
                        && (f[4].equals(prefix) || f[4].startsWith(prefix + "/"))) {
                    found.add(line);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/self/mountinfo: " + e, e);
        }
        return found;
    }

    /** The names in {@code dir} that start with {@code prefix}; none when it does not exist. */
    public static List<String> entries(Path dir, String prefix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new AssertionError("cannot list " + dir + ": " + e, e);
        }
    }

    /** The safety net after a failed test: kills rclone mentioning {@code marker}, lazily unmounts FUSE below it. */
    public static void cleanUp(Path marker) {
        for (String p : rcloneProcesses(marker.toString())) {
            ProcessHandle.of(Long.parseLong(p.substring(0, p.indexOf(' ')))).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (String line : fuseMounts(marker)) {
            try {
                new ProcessBuilder("fusermount3", "-uz", line.split(" ")[4]).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                // nothing more to do
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
