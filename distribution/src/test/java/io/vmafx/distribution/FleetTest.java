package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code bin/vmafx-node serve} processes on one real PostgreSQL 15 ({@link Postgres}, started and stopped here):
 * every node answers for every job, a node killed mid-job loses none (its jobs run again elsewhere, once), a DELETE
 * on a third node stops a job where it runs, SIGTERM puts unfinished jobs back in the queue, and a database restart
 * costs waiting, not jobs. Leases are short (2 s) so that the faults resolve quickly.
 */
class FleetTest {

    private static final Pattern NODE = Pattern.compile("node (\\S+)\\)");

    @TempDir
    static Path scratch;
    static Postgres pg;
    static Path data;
    static Path passwordFile;
    final List<ServeNode> nodes = new ArrayList<>();

    @BeforeAll
    static void database() throws Exception {
        pg = Postgres.start();
        data = scratch.resolve("data");
        Clips.testPattern(data.resolve("tiny/ref.y4m"), 64, 48, 1);
        Clips.degraded(data.resolve("tiny/ref.y4m"), data.resolve("tiny/dis.y4m"), 64, 48);
        Clips.testPattern(data.resolve("long/ref.y4m"), 640, 360, 10);
        Clips.degraded(data.resolve("long/ref.y4m"), data.resolve("long/dis.y4m"), 640, 360);
        passwordFile = pg.passwordFile(scratch.resolve("secret/pgpass"));
    }

    @AfterAll
    static void stopDatabase() {
        if (pg != null) {
            pg.close();
            assertFalse(pg.anyProcessLeft(), "PostgreSQL must be stopped");
        }
    }

    @BeforeEach
    void emptyQueue() {
        // The first node to start makes the table; later tests start from an empty one.
        pg.psql("DO $$ BEGIN IF to_regclass('vmafx_jobs') IS NOT NULL THEN DELETE FROM vmafx_jobs; END IF; END $$");
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(ServeNode::close);
        Leftovers.cleanUp(scratch, Set.of());
    }

    private ServeNode node(int i, String... extra) throws Exception {
        NodeDirs dirs = new NodeDirs(scratch.resolve("node" + i + "-" + nodes.size()));
        Files.writeString(dirs.config(), "");
        Map<String, String> env = new HashMap<>(dirs.env(Map.of()));
        env.put("VMAFX_JOB_STORE", pg.url());
        env.put("VMAFX_JOB_STORE_USER", Postgres.USER);
        env.put("VMAFX_JOB_STORE_PASSWORD_FILE", passwordFile.toString());
        env.put("VMAFX_JOB_STORE_LEASE", "2s");
        env.put("VMAFX_JOB_STORE_POLL", "200ms");
        env.put("VMAFX_API_LOCAL_ROOTS", data.toString());
        env.put("VMAFX_NODE_QUEUE", "500");
        List<String> args = new ArrayList<>(List.of("--storage-mode", "local"));
        args.addAll(List.of(extra));
        if (!args.contains("--slots")) {
            args.addAll(List.of("--slots", "2"));
        }
        ServeNode n = ServeNode.start(env, args.toArray(String[]::new));
        nodes.add(n);
        return n;
    }

    private static String nodeId(ServeNode n) throws Exception {
        Matcher m = NODE.matcher(n.node.stderrSoFar());
        assertTrue(m.find(), "the listening line names the node");
        return m.group(1);
    }

    private static String submit(ServeNode n, String clip) throws Exception {
        return n.submit(data.resolve(clip + "/ref.y4m").toString(), data.resolve(clip + "/dis.y4m").toString());
    }

    @Test
    void sixtyJobsRoundRobinEachReadBackFromAnotherNodeAndPaged() throws Exception {
        List<ServeNode> three = List.of(node(0), node(1), node(2));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            ids.add(submit(three.get(i % 3), "tiny"));
        }
        Map<String, Integer> ranOn = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            Map<String, Object> job = three.get((i + 1) % 3).awaitEnd(ids.get(i), 120);
            assertEquals("succeeded", job.get("state"), () -> "" + job);
            assertEquals(1, ((Number) job.get("attempts")).intValue(), () -> "" + job);
            assertNotNull(Node.at(job, "result.vmaf.mean"));
            ranOn.merge((String) job.get("node"), 1, Integer::sum);
        }
        System.out.println("fleet: 60 jobs ran on " + ranOn);
        assertTrue(ranOn.size() >= 2, () -> "the queue is shared: jobs ran on more than one node: " + ranOn);

        // Pages of 25, newest first, every job once; a state filter.
        List<String> listed = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Map<String, Object> page = three.get(pages % 3).get("/v1/jobs?limit=25" + (cursor == null ? "" : "&cursor=" + cursor)).expect(200);
            Node.objects(page, "jobs").forEach(j -> listed.add((String) j.get("id")));
            cursor = (String) page.get("next_cursor");
            pages++;
        } while (cursor != null);
        List<String> newestFirst = new ArrayList<>(ids);
        java.util.Collections.reverse(newestFirst);
        assertEquals(newestFirst, listed);
        assertEquals(3, pages);
        assertEquals(60, Node.objects(three.get(0).get("/v1/jobs?state=succeeded&limit=1000").expect(200), "jobs").size());
        assertEquals(0, Node.objects(three.get(1).get("/v1/jobs?state=queued").expect(200), "jobs").size());
        assertEquals(400, three.get(2).get("/v1/jobs?state=done").status());
        assertEquals(400, three.get(2).get("/v1/jobs?limit=0").status());

        // The results are queryable in the database: the pooled scores as columns, the whole result as jsonb.
        String row = pg.psql("SELECT count(*), count(vmaf_mean), min(vmaf_min) <= min(vmaf_mean), count(*) FILTER"
                + " (WHERE (result->'vmaf'->>'mean')::float8 = vmaf_mean AND vmaf_p5 IS NOT NULL AND frames > 0) FROM vmafx_jobs");
        assertEquals("60|60|t|60", row);
        three.forEach(n -> assertEquals(0, terminate(n).exit()));
    }

    @Test
    void aKilledNodesJobsFinishElsewhereOnceEach() throws Exception {
        ServeNode a = node(0, "--slots", "1");
        ServeNode b = node(1, "--slots", "1");
        String idA = nodeId(a);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(submit(a, "long"));
        }
        // Wait until A runs one of them, then kill A with its children, as a pod dies.
        String victim = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (victim == null && System.nanoTime() < deadline) {
            for (String id : ids) {
                Map<String, Object> j = b.get("/v1/jobs/" + id).expect(200);
                if ("running".equals(j.get("state")) && idA.equals(j.get("node"))) {
                    victim = id;
                }
            }
            Thread.sleep(50);
        }
        assertNotNull(victim, "node A took a job");
        a.node.awaitScorer(30);
        a.close();
        nodes.remove(a);
        ServeNode c = node(2, "--slots", "1");
        for (String id : ids) {
            Map<String, Object> j = c.awaitEnd(id, 180);
            assertEquals("succeeded", j.get("state"), () -> "" + j);
            assertNotEquals(idA, j.get("node"), () -> "only the survivors finish: " + j);
        }
        Map<String, Object> v = b.get("/v1/jobs/" + victim).expect(200);
        assertEquals(2, ((Number) v.get("attempts")).intValue(), () -> "the killed node's job ran again: " + v);
        // Each job succeeded once: the survivors' counters add up to the jobs, and none was reported twice.
        double succeeded = b.metrics().get("vmafx_jobs_total{outcome=\"succeeded\"}") + c.metrics().get("vmafx_jobs_total{outcome=\"succeeded\"}");
        assertEquals(4.0, succeeded);
        assertEquals("4|0", pg.psql("SELECT count(*) FILTER (WHERE state = 'succeeded'), count(*) FILTER (WHERE state <> 'succeeded') FROM vmafx_jobs"));
        for (ServeNode n : List.of(b, c)) {
            Node.Result r = terminate(n);
            assertFalse(r.stderr().contains("outcome is dropped"), () -> "" + r);
        }
    }

    @Test
    void aJobRunsOutOfAttemptsAndFailsWithTheReason() throws Exception {
        // One attempt: the node that dies with the job leaves it failed, with the reason.
        Map<String, String> noRetry = Map.of("VMAFX_JOB_STORE_MAX_ATTEMPTS", "1");
        ServeNode b = nodeWith(1, noRetry);
        String id = submit(b, "long");
        b.awaitRunning(id, 60);
        b.node.awaitScorer(30);
        b.close();
        nodes.remove(b);
        ServeNode c = nodeWith(2, noRetry);
        Map<String, Object> j = c.awaitEnd(id, 60);
        assertEquals("failed", j.get("state"), () -> "" + j);
        assertTrue(((String) j.get("error")).matches("failed: its node \\(\\S+\\) stopped renewing the lease on attempt 1 of 1"
                + " \\(VMAFX_JOB_STORE_MAX_ATTEMPTS\\): the node died, or lost the job store for longer than the lease"), () -> "" + j);
        terminate(c);
    }

    private ServeNode nodeWith(int i, Map<String, String> extraEnv) throws Exception {
        // The same as node(i), with more variables: the settings a provider reads come from the environment.
        NodeDirs dirs = new NodeDirs(scratch.resolve("node" + i + "-" + nodes.size()));
        Files.writeString(dirs.config(), "");
        Map<String, String> env = new HashMap<>(dirs.env(Map.of()));
        env.put("VMAFX_JOB_STORE", pg.url());
        env.put("VMAFX_JOB_STORE_USER", Postgres.USER);
        env.put("VMAFX_JOB_STORE_PASSWORD_FILE", passwordFile.toString());
        env.put("VMAFX_JOB_STORE_LEASE", "2s");
        env.put("VMAFX_JOB_STORE_POLL", "200ms");
        env.put("VMAFX_API_LOCAL_ROOTS", data.toString());
        env.putAll(extraEnv);
        ServeNode n = ServeNode.start(env, "--storage-mode", "local", "--slots", "1");
        nodes.add(n);
        return n;
    }

    @Test
    void deleteOnAThirdNodeStopsTheJobWhereItRuns() throws Exception {
        ServeNode a = node(0, "--slots", "1");
        ServeNode b = node(1, "--slots", "1");
        ServeNode c = node(2, "--slots", "1");
        Map<String, ServeNode> byId = new LinkedHashMap<>();
        for (ServeNode n : List.of(a, b, c)) {
            byId.put(nodeId(n), n);
        }
        String id = submit(a, "long");
        a.awaitRunning(id, 60);
        String runner = (String) a.get("/v1/jobs/" + id).expect(200).get("node");
        ServeNode runs = byId.get(runner);
        ProcessHandle scorer = runs.node.awaitScorer(30);
        ServeNode third = byId.entrySet().stream().filter(e -> !e.getKey().equals(runner) && e.getValue() != a)
                .findFirst().orElseThrow().getValue();
        long t0 = System.nanoTime();
        Map<String, Object> j = third.send("DELETE", "/v1/jobs/" + id, null).expect(200);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("fleet: DELETE on a third node answered, the job stopped, after " + ms + " ms");
        assertAll(
                () -> assertEquals("cancelled", j.get("state"), () -> "" + j),
                () -> assertEquals("cancelled by DELETE /v1/jobs/" + id, j.get("error")),
                () -> assertFalse(scorer.isAlive(), "the runner's scorer (ffprobe) is gone when the DELETE answers"),
                () -> assertTrue(ms < 5000, () -> "stopped promptly: " + ms + " ms"));
        assertEquals(409, b.send("DELETE", "/v1/jobs/" + id, null).status());
        for (ServeNode n : List.of(a, b, c)) {
            assertEquals(0, terminate(n).exit());
        }
    }

    @Test
    void sigtermPutsUnfinishedJobsBackAndAnotherNodeFinishesThem() throws Exception {
        // A drain far shorter than the rest of the job: it cannot finish in time and goes back to the queue.
        ServeNode a = node(0, "--slots", "1", "--drain", "100ms");
        String idA = nodeId(a);
        String id = submit(a, "long");
        a.awaitRunning(id, 60);
        a.node.awaitScorer(30);
        Node.Result r = terminate(a);
        assertEquals(0, r.exit(), () -> "" + r);
        assertTrue(r.stderr().contains("serve: stopped: 0 running job(s) finished, 0 cancelled, 1 put back in the queue"), () -> "" + r);
        ServeNode b = node(1, "--slots", "1");
        Map<String, Object> j = b.awaitEnd(id, 120);
        assertEquals("succeeded", j.get("state"), () -> "" + j);
        assertNotEquals(idA, j.get("node"));
        assertEquals(1, ((Number) j.get("attempts")).intValue(), () -> "a job let go at shutdown is not an attempt: " + j);
        assertEquals(0, terminate(b).exit());
    }

    @Test
    void aDatabaseRestartCostsWaitingNotJobs() throws Exception {
        ServeNode a = node(0);
        ServeNode b = node(1);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(submit(i % 2 == 0 ? a : b, i < 2 ? "long" : "tiny"));
        }
        a.awaitRunning(ids.get(0), 60);
        pg.stopServer("fast");
        try {
            ServeNode.Answer down = a.get("/v1/jobs/" + ids.get(0));
            assertEquals(503, down.status(), () -> "" + down);
            assertTrue(down.json().get("error").toString().startsWith("the job store is out of reach: "), () -> "" + down);
            ServeNode.Answer post = b.send("POST", "/v1/jobs", JSON.std.asString(Map.of("reference_uri", data.resolve("tiny/ref.y4m").toString(),
                    "distorted_uri", data.resolve("tiny/dis.y4m").toString())));
            assertEquals(503, post.status(), () -> "" + post);
            Thread.sleep(1000);
        } finally {
            pg.startServer();
        }
        ids.add(submit(a, "tiny"));
        Set<String> nodesSeen = new HashSet<>();
        for (String id : ids) {
            Map<String, Object> j = b.awaitEnd(id, 180);
            assertEquals("succeeded", j.get("state"), () -> "" + j);
            nodesSeen.add((String) j.get("node"));
        }
        assertEquals("7", pg.psql("SELECT count(*) FROM vmafx_jobs WHERE state = 'succeeded'"));
        for (ServeNode n : List.of(a, b)) {
            Node.Result r = terminate(n);
            assertEquals(0, r.exit(), () -> "" + r);
            assertTrue(r.stderr().contains("is reachable again"), () -> "the node says the store came back: " + r);
        }
    }

    @Test
    void badStoreSettingsStopServeWithOneLineAndExit2AndAnUnreachableStoreWithExit1() throws Exception {
        NodeDirs dirs = new NodeDirs(scratch.resolve("bad-settings"));
        Files.writeString(dirs.config(), "");
        Node.Result unknown = Node.run(dirs.env(Map.of("VMAFX_JOB_STORE", "redis://127.0.0.1/0")), Node.ROOT, "serve", "--port", "0");
        assertEquals(2, unknown.exit(), () -> "" + unknown);
        assertEquals("vmafx-node: serve: VMAFX_JOB_STORE: no job store provider for 'redis://' in this node (found: memory, postgresql)",
                unknown.stderr().strip());
        Node.Result withPassword = Node.run(dirs.env(Map.of("VMAFX_JOB_STORE", "postgresql://vmafx:hunter2@127.0.0.1:" + pg.port + "/vmafx")),
                Node.ROOT, "serve", "--port", "0");
        assertEquals(2, withPassword.exit(), () -> "" + withPassword);
        assertFalse(withPassword.stderr().contains("hunter2"), () -> "" + withPassword);
        assertTrue(withPassword.stderr().contains("no user or password in the URL"), () -> "" + withPassword);
        Node.Result badLease = Node.run(dirs.env(Map.of("VMAFX_JOB_STORE", pg.url(), "VMAFX_JOB_STORE_LEASE", "soon")), Node.ROOT, "serve", "--port", "0");
        assertEquals(2, badLease.exit(), () -> "" + badLease);
        assertTrue(badLease.stderr().contains("VMAFX_JOB_STORE_LEASE: expected a duration"), () -> "" + badLease);
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Node.Result unreachable = Node.run(dirs.env(Map.of("VMAFX_JOB_STORE", "postgresql://127.0.0.1:" + closed + "/vmafx",
                "VMAFX_JOB_STORE_CONNECT_TIMEOUT", "2s", "VMAFX_JOB_STORE_PASSWORD_FILE", passwordFile.toString())), Node.ROOT, "serve", "--port", "0");
        assertEquals(1, unreachable.exit(), () -> "" + unreachable);
        assertTrue(unreachable.stderr().strip().matches("vmafx-node: serve: the job store cannot be opened: postgresql://127\\.0\\.0\\.1:" + closed
                + "/vmafx: .*\\(waited up to 2 s, VMAFX_JOB_STORE_CONNECT_TIMEOUT\\)"), () -> "" + unreachable);
        assertFalse(unreachable.stderr().contains(Postgres.PASSWORD));
        unreachable.assertNoStackTrace();
    }

    @Test
    void theFleetBenchRunsAndCountsNoJobLostOrRunTwice() throws Exception {
        NodeDirs dirs = new NodeDirs(scratch.resolve("bench"));
        Files.writeString(dirs.config(), "");
        Node.Result r = Node.run(dirs.env(Map.of("VMAFX_JOB_STORE", pg.url(), "VMAFX_JOB_STORE_USER", Postgres.USER,
                        "VMAFX_JOB_STORE_PASSWORD_FILE", passwordFile.toString())), Node.ROOT,
                "bench", "fleet", "--tiny-jobs", "9", "--real-jobs", "3", "--latency-jobs", "3");
        System.out.println(r.stdout());
        assertEquals(0, r.exit(), () -> "" + r);
        List<String> lines = r.stdout().lines().toList();
        for (String config : List.of("1 node, memory", "3 nodes, postgresql")) {
            for (String phase : List.of("tiny, one at a time", "tiny, all at once", "real, all at once")) {
                Pattern row = Pattern.compile(Pattern.quote(config) + "\\s+" + Pattern.quote(phase) + "\\s+\\d+\\s+[0-9.]+\\s+.*\\s0\\s+0");
                assertTrue(lines.stream().anyMatch(l -> row.matcher(l).matches()), () -> "no row " + config + " / " + phase + " with 0 lost, 0 twice: " + r);
            }
        }
        assertTrue(lines.contains("no job lost, none ran twice"), () -> "" + r);
        r.assertNoStackTrace();
    }

    private static Node.Result terminate(ServeNode n) {
        try {
            return n.terminate(60);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
