package io.vmafx.bypass.ebpf.probe;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the probe's tests need from the machine, and running commands. A missing piece is printed, never skipped silently. */
final class TestSystem {

    private TestSystem() {
    }

    /** Runs the test only where it can; otherwise prints exactly why and aborts it (reported as skipped, with the reason). */
    static void require(boolean condition, String reason) {
        if (!condition) {
            System.out.println("[probe tests] NOT RUN: " + reason);
        }
        assumeTrue(condition, reason);
    }

    static boolean isRoot() {
        try {
            return NativeLoader.uid() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** The static ffmpeg that scripts/setup.sh installs. */
    static Path ffmpeg() {
        Path root = Path.of(System.getProperty("vmafx.root", "../"));
        Path f = root.resolve(".tools/ffmpeg/ffmpeg").toAbsolutePath().normalize();
        if (!Files.isExecutable(f)) {
            f = Path.of("..").resolve(".tools/ffmpeg/ffmpeg").toAbsolutePath().normalize();
        }
        return f;
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Everything the FUSE tests need; prints and aborts when something is missing. */
    static void requireFuseTestMachine() {
        require(isRoot(), "the probe tests load BPF programs and mount FUSE: they run as root (uid 0)");
        require(ProbeSession.isSupported(), "the native library does not load: " + ProbeSession.unsupportedReason().orElse("?"));
        require(onPath("rclone"), "rclone is not on the PATH (scripts/setup.sh installs it)");
        require(onPath("fusermount3"), "fusermount3 is not on the PATH (package fuse3; scripts/setup.sh installs it)");
        require(Files.isReadable(Path.of("/dev/fuse")), "/dev/fuse is missing or not readable");
    }

    record Result(int exit, String out) {
    }

    /** Runs a command to its end (stderr into stdout), at most {@code seconds}. */
    static Result run(List<String> command, int seconds) {
        return run(new ProcessBuilder(command), seconds);
    }

    static Result run(ProcessBuilder pb, int seconds) {
        try {
            Path log = Files.createTempFile("vmafx-probe-cmd-", ".log");
            try {
                Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                    throw new AssertionError("timed out after " + seconds + " s: " + pb.command() + "\n" + Files.readString(log));
                }
                return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static List<String> sh(String script) {
        List<String> c = new ArrayList<>();
        c.add("sh");
        c.add("-c");
        c.add(script);
        return c;
    }

    /** Deletes a directory tree that is not (or no longer) a mount. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The BPF objects (programs, maps, links) and perf events (the tracepoints' attachments) this JVM holds, from
     * /proc/self/fd: once every session is closed, there must be none, i.e. nothing of ours is loaded or attached.
     */
    static List<String> bpfDescriptorsHeld() {
        List<String> held = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("anon_inode:bpf") || target.contains("perf_event")) {
                        held.add(fd.getFileName() + " -> " + target);
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return held;
    }

    /** Programs named vmafx_* loaded in the kernel by anyone (bpftool prog show), one line each. */
    static List<String> loadedProbePrograms() {
        Result r = run(List.of("bpftool", "prog", "show"), 30);
        List<String> ours = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (line.matches("^\\d+: .* name vmafx_.*")) {
                ours.add(line.trim());
            }
        }
        return ours;
    }
}
