package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.distribution.Remotes.Backend;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGTERM to a node in the middle of a job ({@code Process.destroy()} on the JVM the launcher execs): the node
 * must exit promptly with a non-zero code, and its rclone, its mounts, its ffmpeg and its temporary files must
 * all be gone.
 */
class NodeShutdownTest {

    /** How long a node may take from SIGTERM to exit: ffmpeg and rclone stopped, inputs released. */
    static final long PROMPT_MILLIS = 5_000;

    @TempDir
    static Path scratch;
    static Remotes remotes;
    static NodeDirs dirs;

    @BeforeAll
    static void makeLongClips() throws Exception {
        Path data = scratch.resolve("data");
        Path ref = Clips.testPattern(data.resolve("long/ref.y4m"), 640, 360, 10);
        Clips.degraded(ref, data.resolve("long/dis.y4m"), 640, 360);
        remotes = Remotes.start(scratch.resolve("servers"), data, EnumSet.of(Backend.LOCAL));
        dirs = new NodeDirs(scratch.resolve("node"));
        remotes.writeConfig(dirs.config());
    }

    @AfterEach
    void safetyNet() {
        Leftovers.cleanUp(scratch, Set.of());
    }

    @AfterAll
    static void close() {
        if (remotes != null) {
            remotes.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http-serve", "mount"})
    void sigtermMidJobExitsPromptlyAndLeavesNothing(String mode) throws Exception {
        Node.Result r;
        List<ProcessHandle> children;
        long ms;
        try (Node.Running node = Node.start(dirs.env(Map.of()), Node.ROOT, "score", "--json", "--storage-mode", mode,
                "--reference", "loc:long/ref.y4m", "--distorted", "loc:long/dis.y4m")) {
            ProcessHandle ffmpeg = node.awaitMidJob();
            assertTrue(ffmpeg.isAlive(), "ffmpeg must still be scoring when SIGTERM comes: make the clip longer");
            children = node.process().descendants().toList();
            assertTrue(children.stream().anyMatch(h -> h.info().command().orElse("").endsWith("/rclone")),
                    () -> "the node reads through rclone: " + children);
            long t0 = System.nanoTime();
            node.process().destroy(); // SIGTERM
            r = node.awaitExit(60);
            ms = (System.nanoTime() - t0) / 1_000_000;
        }
        Node.Result run = r;
        long took = ms;
        System.out.println("SIGTERM mid-job, " + mode + ": exit " + r.exit() + " after " + ms + " ms, stderr: " + r.stderr().strip());
        assertAll(
                () -> assertNotEquals(0, run.exit(), () -> "an interrupted job must not exit 0: " + run),
                () -> assertTrue(took < PROMPT_MILLIS, () -> "SIGTERM to exit took " + took + " ms, more than " + PROMPT_MILLIS + ": " + run),
                () -> assertEquals("", run.stdout(), () -> "no result for a job that did not finish: " + run),
                run::assertNoStackTrace,
                () -> assertEquals(List.of(), children.stream().filter(ProcessHandle::isAlive).map(h -> h.pid() + " "
                        + h.info().commandLine().orElse("?")).toList(), "the node's children (ffmpeg, rclone) must be gone"),
                () -> dirs.assertClean(Set.of()));
    }
}
