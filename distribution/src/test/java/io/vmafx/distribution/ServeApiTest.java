package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/vmafx-node serve} over HTTP, against a real rclone {@code alias} remote in http-serve mode: the
 * API's error answers, the queue limit, cancellation of a running job, the bearer token, and the metrics after
 * a known sequence of jobs. Every node is stopped with SIGTERM (exit 0) and must leave nothing behind.
 */
class ServeApiTest {

    @TempDir
    static Path scratch;
    static Remotes remotes;
    static NodeDirs dirs;

    @BeforeAll
    static void clipsAndRemote() throws Exception {
        Path data = scratch.resolve("data");
        Clips.testPattern(data.resolve("small/ref.y4m"), 160, 90, 1);
        Clips.degraded(data.resolve("small/ref.y4m"), data.resolve("small/dis.y4m"), 160, 90);
        Clips.testPattern(data.resolve("long/ref.y4m"), 640, 360, 10);
        Clips.degraded(data.resolve("long/ref.y4m"), data.resolve("long/dis.y4m"), 640, 360);
        remotes = Remotes.start(scratch.resolve("servers"), data, EnumSet.of(Backend.LOCAL));
        dirs = new NodeDirs(scratch.resolve("node"));
        remotes.writeConfig(dirs.config());
    }

    @AfterEach
    void safetyNet() throws java.io.IOException {
        Leftovers.cleanUp(scratch, Set.of());
        // A node killed after a failed assertion leaves its scorer's directory: not the next test's failure.
        try (java.util.stream.Stream<Path> left = java.nio.file.Files.walk(dirs.tmp())) {
            for (Path p : left.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(dirs.tmp())) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
        }
    }

    @AfterAll
    static void close() {
        if (remotes != null) {
            remotes.close();
        }
    }

    /** Stops the node with SIGTERM: exit 0, no stack trace, nothing left behind. */
    private static void stop(ServeNode serve) throws Exception {
        Node.Result r = serve.terminate(60);
        assertAll(() -> assertEquals(0, r.exit(), () -> "exit code after SIGTERM: " + r),
                r::assertNoStackTrace,
                () -> dirs.assertClean(Set.of()));
    }

    private static void assertError(ServeNode.Answer a, int status, String field, String... mentions) {
        assertEquals(status, a.status(), () -> "status of " + a);
        Map<String, Object> json = a.json();
        String error = (String) json.get("error");
        assertNotNull(error, () -> "no error message: " + a);
        assertFalse(error.contains("\tat ") || error.contains("Exception"), () -> "a stack trace or exception name: " + a);
        for (String m : mentions) {
            assertTrue(error.contains(m), () -> "the error should mention '" + m + "': " + a);
        }
        assertEquals(field, json.get("field"), () -> "the field named by " + a);
    }

    @Test
    void errorAnswersNameTheCause() throws Exception {
        try (ServeNode serve = ServeNode.start(dirs.env(Map.of()))) {
            assertEquals(Map.of("status", "ok"), serve.get("/healthz").expect(200));
            assertEquals(Map.of("ready", true), serve.get("/readyz").expect(200));

            assertError(serve.send("POST", "/v1/jobs", "{\"reference_uri\": "), 400, null, "not valid JSON");
            assertError(serve.send("POST", "/v1/jobs", "[\"loc:a\"]"), 400, null, "one JSON object");
            assertError(serve.send("POST", "/v1/jobs", "{\"reference_uri\":\"loc:a\",\"distorted_uri\":\"loc:b\",\"colour\":\"red\"}"),
                    400, "colour", "unknown field 'colour'");
            assertError(serve.send("POST", "/v1/jobs", "{\"reference_uri\":\"loc:a\"}"), 400, "distorted_uri", "distorted_uri: required");
            assertError(serve.send("POST", "/v1/jobs", "{\"reference_uri\":7,\"distorted_uri\":\"loc:b\"}"), 400, "reference_uri",
                    "reference_uri: expected a string");
            assertError(serve.send("POST", "/v1/jobs", "{\"reference_uri\":\"a.yuv\",\"distorted_uri\":\"b.yuv\",\"width\":64,\"pix_fmt\":\"yuv420p\"}"),
                    400, "height", "raw video needs all of width, height and pix_fmt");
            assertError(serve.send("POST", "/v1/jobs", "{\"reference_uri\":\"a\",\"distorted_uri\":\"b\",\"reference_uri\":\"c\"}"),
                    400, "reference_uri", "appears twice");
            assertError(serve.send("POST", "/v1/jobs", "{\"reference_uri\":\"loc:a\",\"distorted_uri\":\"loc:b\"} {}"), 400, null,
                    "text after its JSON object");
            assertError(serve.send("POST", "/v1/jobs", "{\"reference_uri\":\"loc:a\",\"distorted_uri\":\"loc:b\",\"model\":\"/nope/m.json\"}"),
                    400, "model", "model '/nope/m.json': model files are not allowed here");
            assertError(serve.send("POST", "/v1/jobs", "{\"reference_uri\":\"loc:a\",\"distorted_uri\":\"loc:b\",\"features\":[\"vif\"]}"),
                    400, "features", "unknown feature 'vif'");
            assertError(serve.send("POST", "/v1/jobs", "{\"reference_uri\":\"loc:a\",\"distorted_uri\":\"loc:b\",\"subsample\":0}"),
                    400, "subsample", "expected a whole number from 1 to 1000");
            String big = "{\"reference_uri\":\"" + "x".repeat(70 * 1024) + "\",\"distorted_uri\":\"loc:b\"}";
            assertError(serve.send("POST", "/v1/jobs", big), 413, null, "larger than 65536 bytes");

            assertError(serve.get("/v1/jobs/0b5e4c1e-0000-4000-8000-000000000000"), 404, null, "no job 0b5e4c1e-0000-4000-8000-000000000000");
            assertError(serve.send("DELETE", "/v1/jobs/0b5e4c1e-0000-4000-8000-000000000000", null), 404, null, "no job");
            assertError(serve.get("/v2/things"), 404, null, "no such resource: /v2/things");
            ServeNode.Answer put = serve.send("PUT", "/v1/jobs", "{}");
            assertError(put, 405, null, "method PUT is not allowed");
            assertEquals(List.of("GET, POST"), put.headers().allValues("Allow"));
            assertError(serve.send("POST", "/metrics", "{}"), 405, null, "allowed: GET");
            assertError(serve.send("PATCH", "/v1/jobs/0b5e4c1e-0000-4000-8000-000000000000", "{}"), 405, null, "allowed: GET, DELETE");

            // Inputs the node cannot read are accepted (202) and fail with one line naming the input and the cause.
            String missing = serve.submit("loc:small/ref.y4m", "loc:small/missing.y4m");
            Map<String, Object> failed = serve.awaitEnd(missing, 60);
            assertEquals("failed", failed.get("state"), () -> "" + failed);
            assertEquals("distorted: object not found: loc:small/missing.y4m", failed.get("error"), () -> "" + failed);
            assertFalse(failed.containsKey("result"));
            // An input that is no valid URI is refused before it becomes a job (what it names is not looked at).
            assertError(serve.send("POST", "/v1/jobs", "{\"reference_uri\":\"loc:../etc/passwd\",\"distorted_uri\":\"loc:small/dis.y4m\"}"),
                    400, "reference_uri", "reference_uri: not an input this node can read: '..' path segments are not allowed");
            String other = serve.submit("loc:small/ref.y4m", "loc:small/absent.y4m");
            serve.awaitEnd(other, 60);

            List<Map<String, Object>> jobs = Node.objects(serve.get("/v1/jobs").expect(200), "jobs");
            assertEquals(List.of(other, missing), jobs.stream().map(j -> j.get("id")).toList(), "recent jobs, newest first");
            stop(serve);
        }
    }

    @Test
    void queueLimitAnswers429AndDeleteCancelsRunningJobs() throws Exception {
        try (ServeNode serve = ServeNode.start(dirs.env(Map.of()), "--slots", "1", "--queue", "1")) {
            String running = serve.submit("loc:long/ref.y4m", "loc:long/dis.y4m");
            serve.awaitRunning(running, 30);
            ProcessHandle ffmpeg = serve.node.awaitScorer(30);
            String queued = serve.submit("loc:long/ref.y4m", "loc:long/dis.y4m");
            assertEquals("queued", serve.get("/v1/jobs/" + queued).expect(200).get("state"));

            ServeNode.Answer full = serve.send("POST", "/v1/jobs", JSON.std.asString(Map.of("reference_uri", "loc:small/ref.y4m",
                    "distorted_uri", "loc:small/dis.y4m")));
            assertError(full, 429, null, "all 1 slots are busy and the queue of 1 is full");
            assertEquals(List.of("1"), full.headers().allValues("Retry-After"));
            Map<String, Double> m = serve.metrics();
            assertEquals(1.0, m.get("vmafx_jobs_rejected_total{reason=\"queue_full\"}"));
            assertEquals(1.0, m.get("vmafx_jobs_running"));
            assertEquals(1.0, m.get("vmafx_jobs_queued"));
            assertEquals(2.0, m.get("vmafx_storage_pool_leases{provider=\"http-serve\"}"), "the running job holds a lease per input: " + m);

            Map<String, Object> q = serve.send("DELETE", "/v1/jobs/" + queued, null).expect(200);
            assertEquals("cancelled", q.get("state"));
            assertFalse(q.containsKey("started_at"), "a queued job never started: " + q);

            Map<String, Object> r = serve.send("DELETE", "/v1/jobs/" + running, null).expect(200);
            assertEquals("cancelled", r.get("state"), () -> "" + r);
            assertEquals("cancelled by DELETE /v1/jobs/" + running, r.get("error"));
            // The DELETE answers once the job has ended: its ffmpeg is gone and its input released.
            assertFalse(ffmpeg.isAlive(), "ffmpeg must be killed by the time DELETE answers");
            Map<String, Double> after = serve.metrics();
            assertEquals(0.0, after.get("vmafx_storage_pool_leases{provider=\"http-serve\"}"), "leases released: " + after);
            assertEquals(0.0, after.get("vmafx_jobs_running"));
            assertEquals(2.0, after.get("vmafx_jobs_total{outcome=\"cancelled\"}"));

            // The slot is free again: the next job runs, and a DELETE of an ended job is a conflict.
            String next = serve.submit("loc:small/ref.y4m", "loc:small/dis.y4m");
            assertEquals("succeeded", serve.awaitEnd(next, 60).get("state"));
            assertError(serve.send("DELETE", "/v1/jobs/" + next, null), 409, null, "already ended (succeeded)");
            stop(serve);
        }
    }

    @Test
    void metricsAfterAKnownSequenceOfJobs() throws Exception {
        try (ServeNode serve = ServeNode.start(dirs.env(Map.of()), "--slots", "2")) {
            String ok1 = serve.submit("loc:small/ref.y4m", "loc:small/dis.y4m");
            Map<String, Object> done = serve.awaitEnd(ok1, 60);
            String ok2 = serve.submit("loc:small/ref.y4m", "loc:small/dis.y4m");
            assertEquals("succeeded", serve.awaitEnd(ok2, 60).get("state"));
            String failed = serve.submit("loc:small/ref.y4m", "loc:small/absent.y4m");
            assertEquals("failed", serve.awaitEnd(failed, 60).get("state"));
            String cancelled = serve.submit("loc:long/ref.y4m", "loc:long/dis.y4m");
            serve.awaitRunning(cancelled, 30);
            ProcessHandle ffmpeg = serve.node.awaitScorer(30);
            serve.node.awaitCpu(ffmpeg, 200, 30); // the scorer is under way: its time is recorded
            assertEquals("cancelled", serve.send("DELETE", "/v1/jobs/" + cancelled, null).expect(200).get("state"));

            // The result is score --json's object: same keys, same score as the CLI on the same pair.
            assertEquals("succeeded", done.get("state"));
            @SuppressWarnings("unchecked")
            Map<String, Object> result = (Map<String, Object>) done.get("result");
            Map<String, Object> cli = Node.run(dirs.env(Map.of()), Node.ROOT, "score", "--json",
                    "--reference", "loc:small/ref.y4m", "--distorted", "loc:small/dis.y4m").quietJson();
            assertEquals(cli.keySet(), result.keySet());
            assertEquals(Node.number(cli, "vmaf.mean"), Node.number(result, "vmaf.mean"));
            assertEquals("http-serve", Node.at(result, "reference.storage"));

            ServeNode.Answer raw = serve.get("/metrics");
            assertEquals(List.of("text/plain; version=0.0.4; charset=utf-8"), raw.headers().allValues("Content-Type"));
            for (String family : List.of("vmafx_jobs_total counter", "vmafx_job_duration_seconds histogram",
                    "vmafx_job_scoring_duration_seconds histogram", "vmafx_storage_prepare_duration_seconds histogram",
                    "vmafx_jobs_running gauge", "vmafx_job_slots gauge", "vmafx_storage_pool_members gauge",
                    "vmafx_bypass_declined_total counter", "vmafx_input_read_bytes_total counter", "vmafx_probe_ring_drops_total counter")) {
                assertTrue(raw.body().contains("\n# TYPE " + family + "\n"), () -> "no TYPE line '" + family + "' in\n" + raw.body());
                assertTrue(raw.body().contains("# HELP " + family.split(" ")[0] + " "), () -> "no HELP line for " + family);
            }
            Map<String, Double> m = serve.metrics();
            assertAll(
                    () -> assertEquals(2.0, m.get("vmafx_jobs_total{outcome=\"succeeded\"}")),
                    () -> assertEquals(1.0, m.get("vmafx_jobs_total{outcome=\"failed\"}")),
                    () -> assertEquals(1.0, m.get("vmafx_jobs_total{outcome=\"cancelled\"}")),
                    () -> assertEquals(2.0, m.get("vmafx_job_duration_seconds_count{outcome=\"succeeded\"}")),
                    () -> assertEquals(2.0, m.get("vmafx_job_duration_seconds_bucket{outcome=\"succeeded\",le=\"+Inf\"}")),
                    () -> assertEquals(1.0, m.get("vmafx_job_duration_seconds_count{outcome=\"failed\"}")),
                    () -> assertEquals(1.0, m.get("vmafx_job_duration_seconds_count{outcome=\"cancelled\"}")),
                    // the two that succeeded and the one cancelled while ffmpeg ran; the failed one never reached it
                    () -> assertEquals(3.0, m.get("vmafx_job_scoring_duration_seconds_count")),
                    () -> assertEquals(2.0, m.get("vmafx_job_overhead_seconds_count")),
                    () -> assertEquals(1.0, m.get("vmafx_storage_prepare_duration_seconds_count{provider=\"http-serve\",outcome=\"error\"}")),
                    () -> assertEquals(4.0, m.get("vmafx_job_inputs_total{provider=\"http-serve\",read=\"storage\"}")),
                    () -> assertEquals(0.0, m.get("vmafx_jobs_running")),
                    () -> assertEquals(0.0, m.get("vmafx_jobs_queued")),
                    () -> assertEquals(2.0, m.get("vmafx_job_slots")),
                    () -> assertEquals(1.0, m.get("vmafx_node_ready")),
                    () -> assertEquals(1.0, m.get("vmafx_storage_rclone_started_total{provider=\"http-serve\"}"), "one pooled rclone serves every job"),
                    () -> assertEquals(1.0, m.get("vmafx_storage_pool_members{provider=\"http-serve\"}")),
                    () -> assertEquals(0.0, m.get("vmafx_storage_pool_leases{provider=\"http-serve\"}")),
                    () -> assertEquals(1.0, m.get("vmafx_storage_prepare_failures_total{provider=\"http-serve\"}")),
                    () -> assertEquals(0.0, m.get("vmafx_input_read_bytes_total{path=\"fuse\"}")));
            // Every prepare call is in the histogram once, a cancelled one too: the two counts agree.
            double observed = 0;
            for (String outcome : List.of("ok", "error", "cancelled")) {
                observed += m.getOrDefault("vmafx_storage_prepare_duration_seconds_count{provider=\"http-serve\",outcome=\"" + outcome + "\"}", 0.0);
            }
            assertEquals(m.get("vmafx_storage_prepares_total{provider=\"http-serve\"}"), observed, () -> "prepare counts: " + m);
            double ok = m.get("vmafx_storage_prepare_duration_seconds_count{provider=\"http-serve\",outcome=\"ok\"}");
            // 2 per finished job and the cancelled one; the failed job's reference may be cut short by its distorted's failure
            assertTrue(ok == 6 || ok == 7, () -> "successful prepares: " + ok);
            double previous = 0;
            for (String le : List.of("0.001", "0.01", "0.1", "1", "10", "600", "+Inf")) {
                double v = m.get("vmafx_job_duration_seconds_bucket{outcome=\"succeeded\",le=\"" + le + "\"}");
                assertTrue(v >= previous, "buckets are cumulative: " + m);
                previous = v;
            }
            assertFalse(ffmpeg.isAlive());
            stop(serve);
        }
    }

    @Test
    void beyondLoopbackTheTokenIsRequired() throws Exception {
        String line = Node.run(dirs.env(Map.of()), Node.ROOT, "serve", "--addr", "0.0.0.0", "--port", "0").failsWith(2);
        assertTrue(line.contains("VMAFX_NODE_TOKEN is required when the API is bound to 0.0.0.0 (--addr)"), line);

        String token = "t0ken-" + Long.toHexString(System.nanoTime());
        try (ServeNode serve = ServeNode.start(dirs.env(Map.of("VMAFX_NODE_TOKEN", token)), "--addr", "0.0.0.0")) {
            ServeNode.Answer none = serve.get("/v1/jobs");
            assertError(none, 401, null, "missing or wrong bearer token");
            assertEquals(List.of("Bearer realm=\"vmafx-node\""), none.headers().allValues("WWW-Authenticate"));
            assertError(serve.get("/v1/jobs", "Authorization", "Bearer " + token + "x"), 401, null, "bearer token");
            assertError(serve.get("/v1/jobs", "Authorization", "Basic " + token), 401, null, "bearer token");
            assertError(serve.get("/metrics"), 401, null, "bearer token");
            assertError(serve.send("POST", "/v1/jobs", "{\"reference_uri\":\"loc:small/ref.y4m\",\"distorted_uri\":\"loc:small/dis.y4m\"}"),
                    401, null, "bearer token");
            // The orchestrator's probes need no token.
            serve.get("/healthz").expect(200);
            serve.get("/readyz").expect(200);
            Map<String, Object> listed = serve.get("/v1/jobs", "Authorization", "Bearer " + token).expect(200);
            assertEquals(List.of(), listed.get("jobs"), "the refused POST made no job");
            assertEquals(200, serve.get("/metrics", "Authorization", "bearer " + token).status());
            Node.Result r = serve.terminate(60);
            assertEquals(0, r.exit(), () -> "" + r);
            assertFalse(r.stderr().contains(token) || r.stdout().contains(token), "the token is never printed");
            dirs.assertClean(Set.of());
        }
    }
}
