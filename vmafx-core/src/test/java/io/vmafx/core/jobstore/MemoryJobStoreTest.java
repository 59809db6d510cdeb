package io.vmafx.core.jobstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.spi.jobstore.Cancellation;
import io.vmafx.spi.jobstore.JobQuery;
import io.vmafx.spi.jobstore.JobState;
import io.vmafx.spi.jobstore.NewJob;
import io.vmafx.spi.jobstore.Outcome;
import io.vmafx.spi.jobstore.StoreEvents;
import io.vmafx.spi.jobstore.StoredJob;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The embedded store keeps the {@code JobStore} contract the PostgreSQL store is tested against, within one process. */
class MemoryJobStoreTest {

    private static NewJob job(int i) {
        return new NewJob("{}", "ref-" + i, "dis-" + i);
    }

    @Test
    void claimsTakeTheOldestQueuedJobsOnceAndTheQueueHasItsBound() {
        MemoryJobStore s = new MemoryJobStore();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(s.submit(job(i), 3).orElseThrow().id());
        }
        assertTrue(s.submit(job(9), 3).isEmpty(), "the bound");
        List<StoredJob> first = s.claim("n", 2);
        assertEquals(ids.subList(0, 2), first.stream().map(StoredJob::id).toList());
        assertTrue(first.stream().allMatch(j -> j.lease() != null && j.attempts() == 1 && j.state() == JobState.RUNNING));
        assertEquals(List.of(ids.get(2)), s.claim("n", 5).stream().map(StoredJob::id).toList());
        assertTrue(s.claim("n", 5).isEmpty());
        assertEquals(0, s.queued());
    }

    @Test
    void cancellationEndsQueuedJobsAtOnceAndTellsTheRunnerOfRunningOnes() {
        MemoryJobStore s = new MemoryJobStore();
        List<String> told = new ArrayList<>();
        s.watch(new StoreEvents() {
            @Override
            public void queued() {
            }

            @Override
            public void cancelRequested(String id) {
                told.add(id);
            }
        });
        StoredJob q = s.submit(job(1), 10).orElseThrow();
        StoredJob r = s.submit(job(2), 10).orElseThrow();
        assertEquals(Cancellation.Kind.CANCELLED, s.cancel(q.id(), "gone").orElseThrow().kind());
        StoredJob running = s.claim("n", 1).get(0);
        assertEquals(r.id(), running.id());
        assertEquals(Cancellation.Kind.REQUESTED, s.cancel(r.id(), "cancelled by DELETE").orElseThrow().kind());
        assertEquals(List.of(r.id()), told);
        assertTrue(s.finish(r.id(), running.lease(), new Outcome(JobState.CANCELLED, null, null, null)));
        assertEquals("cancelled by DELETE", s.get(r.id()).orElseThrow().error(), "the recorded reason");
        assertEquals(Cancellation.Kind.ALREADY_ENDED, s.cancel(r.id(), "again").orElseThrow().kind());
        assertFalse(s.finish(r.id(), running.lease(), new Outcome(JobState.SUCCEEDED, "{}", null, null)), "never twice");
        assertTrue(s.cancel("nope", "x").isEmpty());
    }

    @Test
    void aReleasedJobIsQueuedAgainWithoutCountingTheAttempt() {
        MemoryJobStore s = new MemoryJobStore();
        StoredJob j = s.submit(job(1), 10).orElseThrow();
        StoredJob c = s.claim("n", 1).get(0);
        assertTrue(s.release(j.id(), c.lease()));
        StoredJob back = s.get(j.id()).orElseThrow();
        assertEquals(JobState.QUEUED, back.state());
        assertEquals(0, back.attempts());
        assertEquals(1, s.claim("n", 1).get(0).attempts());
    }

    @Test
    void pagesAreNewestFirstAndFilterByState() {
        MemoryJobStore s = new MemoryJobStore();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(s.submit(job(i), 10).orElseThrow().id());
        }
        s.claim("n", 1);
        var p1 = s.list(new JobQuery(null, 2, 0));
        assertEquals(List.of(ids.get(4), ids.get(3)), p1.jobs().stream().map(StoredJob::id).toList());
        assertTrue(p1.more());
        var p3 = s.list(new JobQuery(null, 2, s.get(ids.get(1)).orElseThrow().seq()));
        assertEquals(List.of(ids.get(0)), p3.jobs().stream().map(StoredJob::id).toList());
        assertFalse(p3.more());
        assertEquals(List.of(ids.get(0)), s.list(new JobQuery(JobState.RUNNING, 10, 0)).jobs().stream().map(StoredJob::id).toList());
    }
}
