package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vmafx.distribution.Remotes.Backend;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} of a real {@code serve} node, after jobs that succeeded, failed and were cancelled (so every
 * family has samples, histograms included), passes Prometheus' own checker: {@code promtool check metrics} (Debian
 * package {@code prometheus}) parses the exposition and lints it (names, suffixes, HELP and TYPE, label use).
 */
class MetricsPromtoolTest {

    static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    @TempDir
    static Path scratch;
    static Remotes remotes;
    static NodeDirs dirs;

    @BeforeAll
    static void clipsAndRemote() throws Exception {
        if (!Files.isExecutable(PROMTOOL)) {
            fail(PROMTOOL + " is missing: run scripts/setup.sh (it installs the Debian package prometheus)");
        }
        Path data = scratch.resolve("data");
        Clips.testPattern(data.resolve("ref.y4m"), 160, 90, 1);
        Clips.degraded(data.resolve("ref.y4m"), data.resolve("dis.y4m"), 160, 90);
        Clips.testPattern(data.resolve("long.y4m"), 640, 360, 10);
        remotes = Remotes.start(scratch.resolve("servers"), data, EnumSet.of(Backend.LOCAL));
        dirs = new NodeDirs(scratch.resolve("node"));
        remotes.writeConfig(dirs.config());
    }

    @AfterAll
    static void close() {
        Leftovers.cleanUp(scratch, Set.of());
        if (remotes != null) {
            remotes.close();
        }
    }

    /** {@code promtool check metrics} with {@code exposition} on stdin: its exit code and what it printed. */
    static Node.Result promtool(String exposition) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("promtool did not finish within 30 s");
        }
        return new Node.Result(java.util.List.of("promtool", "check", "metrics"), p.exitValue(), out, "");
    }

    @Test
    void theMetricsOfANodeThatRanJobsPassPromtool() throws Exception {
        try (ServeNode serve = ServeNode.start(dirs.env(Map.of()), "--storage-mode", "http-serve", "--slots", "1")) {
            for (int i = 0; i < 2; i++) {
                Map<String, Object> ok = serve.awaitEnd(serve.submit("loc:ref.y4m", "loc:dis.y4m"), 60);
                assertEquals("succeeded", ok.get("state"), () -> "" + ok);
            }
            Map<String, Object> failed = serve.awaitEnd(serve.submit("loc:ref.y4m", "loc:missing.y4m"), 60);
            assertEquals("failed", failed.get("state"), () -> "" + failed);
            String running = serve.submit("loc:long.y4m", "loc:long.y4m");
            serve.awaitRunning(running, 60);
            assertEquals(true, serve.send("DELETE", "/v1/jobs/" + running, null).status() < 300);
            assertEquals("cancelled", serve.awaitEnd(running, 60).get("state"));

            ServeNode.Answer a = serve.get("/metrics");
            assertEquals(200, a.status(), a::toString);
            String body = a.body();
            for (String family : java.util.List.of("vmafx_jobs_total{outcome=\"succeeded\"} 2", "vmafx_jobs_total{outcome=\"failed\"} 1",
                    "vmafx_jobs_total{outcome=\"cancelled\"} 1", "vmafx_job_duration_seconds_bucket{", "vmafx_storage_prepare_duration_seconds_count{")) {
                assertTrue(body.contains(family), () -> "the scrape has " + family + ":\n" + body);
            }
            Node.Result check = promtool(body);
            System.out.println("promtool check metrics on " + body.lines().count() + " lines: exit " + check.exit() + " " + check.stdout().trim());
            assertEquals(0, check.exit(), () -> "promtool check metrics:\n" + check.stdout() + "\non:\n" + body);
            assertEquals("", check.stdout().trim(), "no lint finding");
            assertEquals(0, serve.terminate(60).exit());
            dirs.assertClean(Set.of());
        }
    }

    @Test
    void promtoolFindsWhatIsWrongInAnExposition() throws Exception {
        // What the check is for: a counter without _total and no HELP, and a line that is not the format.
        Node.Result lint = promtool("# TYPE vmafx_jobs counter\nvmafx_jobs 3\n");
        assertNotEquals(0, lint.exit(), lint::toString);
        assertTrue(lint.stdout().contains("counter metrics should have \"_total\" suffix"), lint::toString);
        Node.Result parse = promtool("vmafx_jobs_total{outcome=\"ok} 1\n");
        assertNotEquals(0, parse.exit(), parse::toString);
        assertTrue(parse.stdout().contains("error while linting"), parse::toString);
    }
}
