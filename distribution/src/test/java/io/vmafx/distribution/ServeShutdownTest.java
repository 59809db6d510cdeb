package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to {@code bin/vmafx-node serve} with jobs running: it stops taking jobs (503, not ready), lets a running job
 * finish within {@code VMAFX_NODE_DRAIN} or cancels it past that deadline (ffmpeg killed, inputs released), cancels
 * queued jobs, releases every rclone process and mount, and exits 0.
 */
class ServeShutdownTest {

    @TempDir
    static Path scratch;
    static Remotes remotes;
    static NodeDirs dirs;

    @BeforeAll
    static void clips() throws Exception {
        Path data = scratch.resolve("data");
        Clips.testPattern(data.resolve("long/ref.y4m"), 640, 360, 10);
        Clips.degraded(data.resolve("long/ref.y4m"), data.resolve("long/dis.y4m"), 640, 360);
        Clips.testPattern(data.resolve("short/ref.y4m"), 320, 180, 3);
        Clips.degraded(data.resolve("short/ref.y4m"), data.resolve("short/dis.y4m"), 320, 180);
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
    void pastTheDrainDeadlineRunningJobsAreCancelledAndTheNodeExits0(String mode) throws Exception {
        try (ServeNode serve = ServeNode.start(dirs.env(Map.of("VMAFX_NODE_DRAIN", "1s")), "--storage-mode", mode,
                "--slots", "1", "--queue", "4")) {
            String running = serve.submit("loc:long/ref.y4m", "loc:long/dis.y4m");
            String queued = serve.submit("loc:long/ref.y4m", "loc:long/dis.y4m");
            serve.awaitRunning(running, 30);
            ProcessHandle ffmpeg = serve.node.awaitScorer(30);
            serve.node.awaitCpu(ffmpeg, 300, 30);
            List<ProcessHandle> children = serve.node.process().descendants().toList();
            assertTrue(children.stream().anyMatch(h -> h.info().command().orElse("").endsWith("/rclone")), () -> "rclone runs: " + children);
            assertEquals("queued", serve.get("/v1/jobs/" + queued).expect(200).get("state"));

            long t0 = System.nanoTime();
            Node.Result r = serve.terminate(60);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("serve SIGTERM, " + mode + ", drain 1s: exit " + r.exit() + " after " + ms + " ms: " + r.stderr().strip());
            assertAll(
                    () -> assertEquals(0, r.exit(), () -> "exit code: " + r),
                    () -> assertTrue(r.stderr().contains("serve: stopped: 0 running job(s) finished, 2 cancelled"), () -> "" + r),
                    () -> assertTrue(ms >= 1000, () -> "the running job gets the drain's 1 s first, took " + ms + " ms"),
                    () -> assertTrue(ms < 15_000, () -> "cancelled after the deadline, promptly: " + ms + " ms"),
                    r::assertNoStackTrace,
                    () -> assertEquals(List.of(), children.stream().filter(ProcessHandle::isAlive)
                            .map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).toList(), "ffmpeg and rclone must be gone"),
                    () -> dirs.assertClean(Set.of()));
        }
    }

    @Test
    void withinTheDrainDeadlineARunningJobFinishes() throws Exception {
        try (ServeNode serve = ServeNode.start(dirs.env(Map.of("VMAFX_NODE_DRAIN", "60s")), "--slots", "1")) {
            String running = serve.submit("loc:short/ref.y4m", "loc:short/dis.y4m");
            serve.awaitRunning(running, 30);
            ProcessHandle ffmpeg = serve.node.awaitScorer(30);
            serve.node.process().destroy(); // SIGTERM
            // While it drains it is not ready and takes no job, but still answers.
            long deadline = System.nanoTime() + 5_000_000_000L;
            ServeNode.Answer ready;
            do {
                ready = serve.get("/readyz");
            } while (ready.status() == 200 && System.nanoTime() < deadline);
            assertEquals(503, ready.status(), "not ready while draining: " + ready);
            assertTrue(ffmpeg.isAlive(), "the job must still be running while the node drains (make the clip longer)");
            ServeNode.Answer refused = serve.send("POST", "/v1/jobs", "{\"reference_uri\":\"loc:short/ref.y4m\",\"distorted_uri\":\"loc:short/dis.y4m\"}");
            assertEquals(503, refused.status(), () -> "" + refused);
            assertEquals("the node is shutting down and takes no new jobs", refused.json().get("error"));

            Node.Result r = serve.node.awaitExit(60);
            System.out.println("serve SIGTERM, drain 60s: " + r.stderr().strip());
            assertAll(
                    () -> assertEquals(0, r.exit(), () -> "exit code: " + r),
                    () -> assertTrue(r.stderr().contains("serve: stopped: 1 running job(s) finished, 0 cancelled"), () -> "" + r),
                    r::assertNoStackTrace,
                    () -> assertTrue(!ffmpeg.isAlive()),
                    () -> dirs.assertClean(Set.of()));
        }
    }
}
