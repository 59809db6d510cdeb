package io.vmafx.rclone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.spi.NodeProcess;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which processes {@link Orphans} stops, with real rclone processes started outside {@link ChildProcess} so that
 * each carries the mark a test chooses: only rclone marked by a node process that is gone.
 */
class OrphansTest {

    @TempDir
    Path dir;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** A node process that existed and is gone: a child that has exited. */
    private static NodeProcess goneNode() throws Exception {
        Process p = new ProcessBuilder("sleep", "0.2").start();
        NodeProcess gone = NodeProcess.of(p.pid()).orElseThrow();
        p.waitFor();
        assertFalse(gone.isRunning());
        return gone;
    }

    private Process start(Optional<NodeProcess> mark, String... command) throws Exception {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        b.environment().remove(NodeProcess.ENVIRONMENT);
        mark.ifPresent(m -> b.environment().put(NodeProcess.ENVIRONMENT, m.id()));
        Process p = b.start();
        started.add(p);
        return p;
    }

    private Process rclone(Optional<NodeProcess> mark) throws Exception {
        return start(mark, "rclone", "serve", "http", dir.toString(), "--addr", "127.0.0.1:0", "--config", dir.resolve("none.conf").toString());
    }

    private static List<Long> found() {
        return Orphans.find(Optional.empty()).stream().map(o -> o.process().pid()).toList();
    }

    @Test
    void stopsRcloneMarkedByAGoneNodeAndNothingElse() throws Exception {
        Files.writeString(dir.resolve("none.conf"), "");
        NodeProcess gone = goneNode();
        Process orphan = rclone(Optional.of(gone));
        Process ofALiveNode = rclone(Optional.of(NodeProcess.current()));
        Process unmarked = rclone(Optional.empty());
        Process notRclone = start(Optional.of(gone), "sleep", "30");
        Thread.sleep(300); // the marks are in the environment from exec on; give the processes a moment to be there

        List<Long> found = found();
        assertTrue(found.contains(orphan.pid()), "the gone node's rclone is an orphan: " + found);
        assertFalse(found.contains(ofALiveNode.pid()), "a running node's rclone is not");
        assertFalse(found.contains(unmarked.pid()), "an rclone without a mark is somebody else's");
        assertFalse(found.contains(notRclone.pid()), "a process that is no rclone is never taken for one");

        long t0 = System.nanoTime();
        List<String> lines = Orphans.reap(Optional.empty());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(orphan.waitFor(5, TimeUnit.SECONDS), "the orphan was stopped");
        assertTrue(ofALiveNode.isAlive() && unmarked.isAlive() && notRclone.isAlive(), "nothing else was touched");
        assertEquals(1, lines.stream().filter(l -> l.contains("pid " + orphan.pid())).count(), () -> "one line for it: " + lines);
        assertTrue(lines.get(0).contains("rclone serve http") && lines.get(0).contains(gone.id()), lines::toString);
        assertFalse(lines.get(0).contains("none.conf"), "the config path is left out of the line: " + lines);
        System.out.println("orphan reaped in " + ms + " ms: " + lines);
    }

    /**
     * A node in a container marks its rclone with its own pid (often 1) in its own pid namespace. Seen from here that
     * pid is some other process, or none: the mark looks like a gone node's, and the rclone must still be left alone.
     * {@code unshare --pid --fork} starts rclone in a new pid namespace with a mark that, read here, names a gone node.
     */
    @Test
    void leavesRcloneInAnotherPidNamespaceAlone() throws Exception {
        Files.writeString(dir.resolve("none.conf"), "");
        Optional<Path> unshare = Executables.find("unshare");
        org.junit.jupiter.api.Assumptions.assumeTrue(unshare.isPresent() && isRoot(),
                "skipped: making a pid namespace needs unshare (util-linux) and root; this runs as " + System.getProperty("user.name"));
        NodeProcess gone = goneNode();
        Process inner = start(Optional.of(gone), unshare.get().toString(), "--pid", "--fork", "--kill-child", "rclone", "serve", "http",
                dir.toString(), "--addr", "127.0.0.1:0", "--config", dir.resolve("none.conf").toString());
        Process sameNamespace = rclone(Optional.of(gone));
        Thread.sleep(300);
        long innerRclone = inner.children().findFirst().orElseThrow(() -> new AssertionError("unshare started no rclone")).pid();
        assertFalse(Orphans.inOwnPidNamespace(Path.of("/proc", Long.toString(innerRclone))), "rclone is in its own pid namespace");
        List<Long> found = found();
        assertFalse(found.contains(innerRclone), () -> "rclone in another pid namespace is not an orphan of ours: " + found);
        assertTrue(found.contains(sameNamespace.pid()), () -> "the same mark in our namespace is: " + found);
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Test
    void theConfiguredBinaryCountsAsRcloneWhateverItsName() throws Exception {
        Files.writeString(dir.resolve("none.conf"), "");
        Path rclone = Executables.find("rclone").orElseThrow();
        Path renamed = dir.resolve("my-rclone");
        Files.copy(rclone.toRealPath(), renamed); // a copy: its /proc/<pid>/exe is named my-rclone
        assertTrue(renamed.toFile().setExecutable(true));
        Process orphan = start(Optional.of(goneNode()), renamed.toString(), "serve", "http", dir.toString(), "--addr", "127.0.0.1:0",
                "--config", dir.resolve("none.conf").toString());
        Thread.sleep(300);
        assertTrue(Orphans.find(Optional.of(renamed)).stream().anyMatch(o -> o.process().pid() == orphan.pid()));
    }
}
