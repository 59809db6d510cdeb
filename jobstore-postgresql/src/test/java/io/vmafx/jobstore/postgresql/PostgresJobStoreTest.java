package io.vmafx.jobstore.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.jobstore.Cancellation;
import io.vmafx.spi.jobstore.JobPage;
import io.vmafx.spi.jobstore.JobQuery;
import io.vmafx.spi.jobstore.JobState;
import io.vmafx.spi.jobstore.JobStore;
import io.vmafx.spi.jobstore.JobStoreException;
import io.vmafx.spi.jobstore.NewJob;
import io.vmafx.spi.jobstore.Outcome;
import io.vmafx.spi.jobstore.Renewal;
import io.vmafx.spi.jobstore.StoreEvents;
import io.vmafx.spi.jobstore.StoredJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PostgreSQL store against a real PostgreSQL 15 ({@link TestCluster}): the contract of {@link JobStore}, one clause a test. */
class PostgresJobStoreTest {

    static TestCluster pg;
    @TempDir
    static Path secrets;
    final List<JobStore> open = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        pg = TestCluster.start();
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
            assertFalse(pg.anyProcessLeft(), "PostgreSQL must be stopped");
        }
    }

    @BeforeEach
    void empty() throws Exception {
        pg.psql("vmafx", "DROP TABLE IF EXISTS vmafx_jobs; DROP TABLE IF EXISTS vmafx_schema_version;"
                + " DROP FUNCTION IF EXISTS vmafx_jobs_notify()");
    }

    @AfterEach
    void close() {
        open.forEach(JobStore::close);
    }

    private static NodeSettings settings(Map<String, String> values) {
        Map<String, String> all = new HashMap<>(Map.of("VMAFX_JOB_STORE_USER", TestCluster.USER, "VMAFX_JOB_STORE_PASSWORD", TestCluster.PASSWORD,
                "VMAFX_JOB_STORE_LEASE", "1s", "VMAFX_JOB_STORE_MAX_ATTEMPTS", "2", "VMAFX_JOB_STORE_CONNECT_TIMEOUT", "5s"));
        all.putAll(values);
        return name -> Optional.ofNullable(all.get(name));
    }

    private JobStore store(Map<String, String> values) throws JobStoreException {
        JobStore s = new PostgresJobStoreProvider().open(pg.url(), settings(values));
        open.add(s);
        return s;
    }

    private JobStore store() throws JobStoreException {
        return store(Map.of());
    }

    private static NewJob job(int i) {
        return new NewJob("{\"n\":" + i + "}", "ref-" + i, "dis-" + i);
    }

    @Test
    void theSchemaIsAppliedOnceWhenNodesStartAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<JobStore>> starts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                starts.add(pool.submit(() -> store()));
            }
            for (Future<JobStore> f : starts) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        assertEquals("1|1", pg.psql("vmafx", "SELECT count(*), max(version) FROM vmafx_schema_version"));
    }

    @Test
    void aNewerSchemaThanTheNodesIsRefused() throws Exception {
        store();
        pg.psql("vmafx", "INSERT INTO vmafx_schema_version (version) VALUES (99)");
        JobStoreException e = assertThrows(JobStoreException.class, this::store);
        assertTrue(e.getMessage().contains("the database's job schema is version 99, newer than this node's (1)"), e.getMessage());
    }

    @Test
    void nodesClaimingAtOnceTakeEveryJobExactlyOnce() throws Exception {
        JobStore a = store();
        for (int i = 0; i < 200; i++) {
            a.submit(job(i), 1000).orElseThrow();
        }
        List<JobStore> nodes = List.of(a, store(), store(), store());
        Map<String, String> claimedBy = new ConcurrentHashMap<>();
        List<String> duplicates = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int n = 0; n < 4; n++) {
                JobStore s = nodes.get(n);
                String name = "node-" + n;
                workers.add(pool.submit(() -> {
                    List<StoredJob> got;
                    while (!(got = s.claim(name, 3)).isEmpty()) {
                        for (StoredJob j : got) {
                            if (claimedBy.putIfAbsent(j.id(), name) != null) {
                                duplicates.add(j.id());
                            }
                            assertEquals(JobState.RUNNING, j.state());
                            assertEquals(name, j.node());
                            assertEquals(1, j.attempts());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(List.of(), duplicates);
        assertEquals(200, claimedBy.size());
        assertTrue(new HashSet<>(claimedBy.values()).size() > 1, "claims were spread: " + new HashSet<>(claimedBy.values()));
        assertEquals(0, a.queued());
    }

    @Test
    void aLeaseThatRunsOutQueuesTheJobAgainAndTheOldClaimCanNeitherFinishNorRenew() throws Exception {
        JobStore a = store();
        StoredJob submitted = a.submit(job(1), 10).orElseThrow();
        StoredJob first = a.claim("a", 1).get(0);
        Thread.sleep(1300); // the 1 s lease runs out
        assertEquals(1, a.expireLeases());
        assertEquals(JobState.QUEUED, a.get(submitted.id()).orElseThrow().state());
        StoredJob second = a.claim("b", 1).get(0);
        assertEquals(2, second.attempts());
        assertFalse(a.finish(first.id(), first.lease(), new Outcome(JobState.SUCCEEDED, "{}", null, null)), "a lost claim reports nothing");
        Renewal r = a.renew("a", Map.of(first.id(), first.lease()));
        assertEquals(Set.of(first.id()), r.lost());
        assertTrue(a.finish(second.id(), second.lease(), new Outcome(JobState.SUCCEEDED, "{\"vmaf\":{\"mean\":1}}", null, null)));
        assertFalse(a.finish(second.id(), second.lease(), new Outcome(JobState.SUCCEEDED, "{}", null, null)), "never twice");
        assertEquals(JobState.SUCCEEDED, a.get(submitted.id()).orElseThrow().state());
    }

    @Test
    void renewalKeepsTheClaimAndPastTheLastAttemptTheJobFailsWithTheReason() throws Exception {
        JobStore a = store();
        StoredJob s = a.submit(job(1), 10).orElseThrow();
        StoredJob c = a.claim("a", 1).get(0);
        for (int i = 0; i < 4; i++) {
            Thread.sleep(400);
            assertEquals(Renewal.NONE.lost(), a.renew("a", Map.of(c.id(), c.lease())).lost());
            assertEquals(0, a.expireLeases(), "a renewed lease does not run out");
        }
        Thread.sleep(1300);
        assertEquals(1, a.expireLeases());
        a.claim("b", 1);
        Thread.sleep(1300);
        assertEquals(1, a.expireLeases());
        StoredJob failed = a.get(s.id()).orElseThrow();
        assertEquals(JobState.FAILED, failed.state());
        assertEquals("failed: its node (b) stopped renewing the lease on attempt 2 of 2 (VMAFX_JOB_STORE_MAX_ATTEMPTS): the node died,"
                + " or lost the job store for longer than the lease", failed.error());
        assertTrue(a.claim("c", 1).isEmpty());
    }

    @Test
    void cancellationEndsAQueuedJobAtOnceAndReachesTheNodeOfARunningOne() throws Exception {
        JobStore runner = store();
        CountDownLatch told = new CountDownLatch(1);
        Set<String> cancelled = ConcurrentHashMap.newKeySet();
        runner.watch(new StoreEvents() {
            @Override
            public void queued() {
            }

            @Override
            public void cancelRequested(String id) {
                cancelled.add(id);
                told.countDown();
            }
        });
        JobStore other = store();
        StoredJob queued = other.submit(job(1), 10).orElseThrow();
        Cancellation q = other.cancel(queued.id(), "cancelled by test").orElseThrow();
        assertEquals(Cancellation.Kind.CANCELLED, q.kind());
        assertEquals("cancelled by test", q.job().error());

        StoredJob running = other.submit(job(2), 10).orElseThrow();
        StoredJob claimed = runner.claim("runner", 1).get(0);
        Thread.sleep(300); // the listener is up (it LISTENs as it starts)
        assertEquals(Cancellation.Kind.REQUESTED, other.cancel(running.id(), "cancelled by DELETE").orElseThrow().kind());
        assertTrue(told.await(5, TimeUnit.SECONDS), "the runner is told by notification");
        assertEquals(Set.of(running.id()), cancelled);
        assertEquals(Set.of(running.id()), runner.renew("runner", Map.of(claimed.id(), claimed.lease())).cancelRequested());
        assertTrue(runner.finish(claimed.id(), claimed.lease(), new Outcome(JobState.CANCELLED, null, null, null)));
        StoredJob ended = other.get(running.id()).orElseThrow();
        assertEquals(JobState.CANCELLED, ended.state());
        assertEquals("cancelled by DELETE", ended.error());
        assertEquals(Cancellation.Kind.ALREADY_ENDED, other.cancel(running.id(), "again").orElseThrow().kind());
        assertTrue(other.cancel("0b5e4c1e-0000-4000-8000-000000000000", "x").isEmpty());
        assertTrue(other.get("not-a-uuid").isEmpty());
    }

    @Test
    void aReleasedJobGoesBackWithoutCountingTheAttempt() throws Exception {
        JobStore a = store();
        StoredJob s = a.submit(job(1), 10).orElseThrow();
        StoredJob c = a.claim("a", 1).get(0);
        assertTrue(a.release(c.id(), c.lease()));
        StoredJob back = a.get(s.id()).orElseThrow();
        assertEquals(JobState.QUEUED, back.state());
        assertEquals(0, back.attempts());
        assertEquals(null, back.startedAt());
        assertFalse(a.release(c.id(), c.lease()), "the claim is gone");
    }

    @Test
    void theQueueHoldsAtMostItsBound() throws Exception {
        JobStore a = store();
        assertTrue(a.submit(job(1), 2).isPresent());
        assertTrue(a.submit(job(2), 2).isPresent());
        assertTrue(a.submit(job(3), 2).isEmpty());
        assertEquals(2, a.queued());
    }

    @Test
    void pagesAreNewestFirstAndFilterByState() throws Exception {
        JobStore a = store();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(a.submit(job(i), 100).orElseThrow().id());
        }
        a.claim("a", 2);
        List<String> seen = new ArrayList<>();
        long before = 0;
        JobPage p;
        do {
            p = a.list(new JobQuery(null, 3, before));
            p.jobs().forEach(j -> seen.add(j.id()));
            before = p.jobs().isEmpty() ? 0 : p.jobs().get(p.jobs().size() - 1).seq();
        } while (p.more());
        List<String> reversed = new ArrayList<>(ids);
        Collections.reverse(reversed);
        assertEquals(reversed, seen);
        assertEquals(List.of(ids.get(1), ids.get(0)), a.list(new JobQuery(JobState.RUNNING, 10, 0)).jobs().stream().map(StoredJob::id).toList());
        assertTrue(a.list(new JobQuery(null, 10, 0)).jobs().stream().allMatch(j -> j.lease() == null), "leases stay with their node");
    }

    @Test
    void resultsAreQueryableJsonWithThePooledScoresAsColumns() throws Exception {
        JobStore a = store();
        StoredJob s = a.submit(job(1), 10).orElseThrow();
        StoredJob c = a.claim("a", 1).get(0);
        a.finish(c.id(), c.lease(), new Outcome(JobState.SUCCEEDED,
                "{\"vmaf\":{\"mean\":91.25,\"harmonic_mean\":91.0,\"min\":80.5,\"max\":99,\"p1\":81,\"p5\":85.5},\"frames\":25}", null,
                "{\"run\":12.5}"));
        assertEquals("91.25|91|80.5|99|81|85.5|25|a", pg.psql("vmafx", "SELECT vmaf_mean, vmaf_harmonic_mean, vmaf_min, vmaf_max, vmaf_p1,"
                + " vmaf_p5, frames, node FROM vmafx_jobs WHERE id = '" + s.id() + "'"));
        assertEquals("91.25", pg.psql("vmafx", "SELECT result->'vmaf'->>'mean' FROM vmafx_jobs WHERE result @> '{\"frames\": 25}'"));
    }

    @Test
    void theStoreComesBackAfterTheDatabaseRestarts() throws Exception {
        JobStore a = store();
        StoredJob s = a.submit(job(1), 10).orElseThrow();
        pg.stopServer();
        try {
            JobStoreException e = assertThrows(JobStoreException.class, () -> a.get(s.id()));
            assertTrue(e.getMessage().startsWith("postgresql://127.0.0.1:" + pg.port + "/vmafx: "), e.getMessage());
            assertFalse(e.getMessage().contains(TestCluster.PASSWORD));
        } finally {
            pg.startServer();
        }
        assertEquals(s.id(), a.get(s.id()).orElseThrow().id(), "the next call reconnects");
        assertEquals(1, a.claim("a", 5).size());
    }

    @Test
    void credentialsComeFromAFileOrTheEnvironmentNeverTheUrl() throws Exception {
        Path file = secrets.resolve("password");
        Files.writeString(file, TestCluster.PASSWORD + "\n");
        Map<String, String> fromFile = new HashMap<>();
        fromFile.put("VMAFX_JOB_STORE_PASSWORD_FILE", file.toString());
        fromFile.put("VMAFX_JOB_STORE_PASSWORD", "wrong");
        store(fromFile); // the file wins
        IllegalArgumentException inUrl = assertThrows(IllegalArgumentException.class, () -> new PostgresJobStoreProvider()
                .open("postgresql://vmafx:secret@127.0.0.1:" + pg.port + "/vmafx", settings(Map.of())));
        assertTrue(inUrl.getMessage().startsWith("no user or password in the URL"), inUrl.getMessage());
        assertFalse(inUrl.getMessage().contains("secret"));
        long t0 = System.nanoTime();
        JobStoreException refused = assertThrows(JobStoreException.class, () -> store(Map.of("VMAFX_JOB_STORE_PASSWORD", "wrong")));
        assertTrue(refused.getMessage().contains("password authentication failed"), refused.getMessage());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(4), "a refusal is not waited out");
        assertThrows(IllegalArgumentException.class, () -> new PostgresJobStoreProvider().availability(settings(Map.of("VMAFX_JOB_STORE_LEASE", "0s"))));
    }
}
