package io.vmafx.rclone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pool's rules, with members that only record what happens to them. */
class LeasePoolTest {

    /** Starts and stops are logged, so tests can check they never overlap for one key. */
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger starts = new AtomicInteger();
    private final LeasePool<String, Fake> pool = new LeasePool<>("test");

    final class Fake implements PooledMember {
        final String key;
        final int n;
        volatile boolean alive = true;
        volatile int stops;

        Fake(String key) {
            this.key = key;
            this.n = starts.incrementAndGet();
        }

        @Override
        public boolean isAlive() {
            return alive;
        }

        @Override
        public void stop() {
            events.add("stop " + key + n + " begin");
            sleep(50);
            alive = false;
            stops++;
            events.add("stop " + key + n + " end");
        }
    }

    private Fake start(String key) {
        events.add("start " + key + " begin");
        sleep(50);
        Fake f = new Fake(key);
        events.add("start " + key + f.n + " end");
        return f;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final Duration LONG = Duration.ofMinutes(1);

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void concurrentAcquiresOfOneKeyStartOneMember() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<Lease<Fake>>> leases = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            leases.add(threads.submit(() -> pool.acquire("a", LONG, this::start)));
        }
        Fake first = null;
        int fresh = 0;
        for (Future<Lease<Fake>> f : leases) {
            Lease<Fake> lease = f.get(5, TimeUnit.SECONDS);
            first = first == null ? lease.member() : first;
            assertSame(first, lease.member());
            fresh += lease.fresh() ? 1 : 0;
        }
        threads.shutdown();
        assertEquals(1, starts.get());
        assertEquals(1, fresh);
        assertEquals(8, pool.stats().get("pool_leases"));
        for (Future<Lease<Fake>> f : leases) {
            f.get().close();
            f.get().close(); // idempotent
        }
        assertEquals(0, pool.stats().get("pool_leases"));
        assertEquals(1, pool.stats().get("pool_members"));
    }

    @Test
    void differentKeysStartInParallel() throws Exception {
        // Each start waits until all four are inside a start at once: that only happens if the pool runs
        // starts of different keys concurrently. Serialized starts time out at the latch instead.
        CountDownLatch allInside = new CountDownLatch(4);
        java.util.concurrent.atomic.AtomicInteger sawAll = new java.util.concurrent.atomic.AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<Future<Lease<Fake>>> leases = new ArrayList<>();
        for (String key : List.of("a", "b", "c", "d")) {
            leases.add(threads.submit(() -> pool.acquire(key, LONG, k -> {
                allInside.countDown();
                try {
                    if (allInside.await(5, TimeUnit.SECONDS)) {
                        sawAll.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new Fake(k);
            })));
        }
        for (Future<Lease<Fake>> f : leases) {
            f.get(15, TimeUnit.SECONDS);
        }
        threads.shutdown();
        assertEquals(4, sawAll.get(), "starts of different keys ran one after another");
        assertEquals(4, pool.stats().get("pool_members"));
    }

    @Test
    void idleMemberIsStoppedAfterItsIdlePeriodUnlessLeasedAgain() throws Exception {
        Lease<Fake> a = pool.acquire("a", Duration.ofMillis(150), this::start);
        a.close();
        Thread.sleep(60);
        Lease<Fake> again = pool.acquire("a", Duration.ofMillis(150), this::start);
        assertFalse(again.fresh());
        Thread.sleep(300);
        assertTrue(again.member().isAlive(), "a leased member is not evicted");
        again.close();
        long end = System.nanoTime() + 2_000_000_000L;
        while (again.member().isAlive() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertFalse(again.member().isAlive());
        assertEquals(1L, pool.stats().get("pool_evicted"));
        assertEquals(0, pool.stats().get("pool_members"));
        assertTrue(pool.acquire("a", LONG, this::start).fresh());
    }

    @Test
    void deadMemberIsStoppedAndReplacedAndItsOldLeasesAreHarmless() throws Exception {
        Lease<Fake> old = pool.acquire("a", LONG, this::start);
        old.member().alive = false;
        Lease<Fake> fresh = pool.acquire("a", LONG, this::start);
        assertTrue(fresh.fresh());
        assertEquals(1, old.member().stops, "the dead member's leftovers are cleaned up at once");
        old.close();
        assertEquals(1, pool.stats().get("pool_leases"));
        assertEquals(1L, pool.stats().get("pool_replaced"));
        assertEquals(List.of("start a begin", "start a1 end", "stop a1 begin", "stop a1 end", "start a begin", "start a2 end"), events);
    }

    @Test
    void evictionAndTheNextStartOfAKeyNeverOverlap() throws Exception {
        pool.acquire("a", Duration.ZERO, this::start).close(); // eviction begins at once, on the timer thread
        Thread.sleep(10);
        Lease<Fake> next = pool.acquire("a", LONG, this::start);
        assertTrue(next.fresh());
        assertEquals(List.of("start a begin", "start a1 end", "stop a1 begin", "stop a1 end", "start a begin", "start a2 end"), events);
    }

    @Test
    void aFailedStartLeasesNothingAndTheNextAcquireTriesAgain() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pool.acquire("a", LONG, k -> { throw new IllegalArgumentException("no"); }));
        assertEquals("no", e.getMessage());
        assertEquals(0, pool.stats().get("pool_members"));
        assertTrue(pool.acquire("a", LONG, this::start).fresh());
    }

    @Test
    void interruptWhileWaitingForAnotherThreadsStartLeasesNothing() throws Exception {
        CountDownLatch inStart = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread starter = new Thread(() -> {
            try {
                pool.acquire("a", LONG, k -> {
                    inStart.countDown();
                    release.await();
                    return new Fake(k);
                }).close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        starter.start();
        inStart.await();
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> pool.acquire("a", LONG, this::start));
        release.countDown();
        starter.join();
        assertEquals(0, pool.stats().get("pool_leases"));
        assertEquals(1, starts.get());
    }

    @Test
    void closeStopsLeasedAndIdleMembersWaitsForStartsAndRefusesNewAcquires() throws Exception {
        Lease<Fake> leased = pool.acquire("a", LONG, this::start);
        Lease<Fake> idle = pool.acquire("b", LONG, this::start);
        idle.close();
        CountDownLatch inStart = new CountDownLatch(1);
        List<Fake> lateOnes = new ArrayList<>();
        Thread late = new Thread(() -> {
            try {
                pool.acquire("c", LONG, k -> {
                    inStart.countDown();
                    Thread.sleep(200);
                    Fake f = new Fake(k);
                    lateOnes.add(f);
                    return f;
                });
            } catch (IllegalStateException | InterruptedException expected) {
                // closed while starting
            }
        });
        late.start();
        inStart.await();
        pool.close();
        late.join();
        assertFalse(leased.member().isAlive());
        assertFalse(idle.member().isAlive());
        assertFalse(lateOnes.get(0).isAlive(), "a member started while closing is stopped too");
        leased.close(); // after close: harmless
        assertThrows(IllegalStateException.class, () -> pool.acquire("a", LONG, this::start));
        assertEquals(0, pool.stats().get("pool_members"));
        pool.close(); // idempotent
    }

    // ---- the process budget, shared by pools

    private static Deadline soon(long millis) {
        return Deadline.after(Duration.ofMillis(millis));
    }

    @Test
    void aFullBudgetStopsTheMemberIdleLongestInAnyPoolSharingIt() throws Exception {
        ProcessBudget budget = new ProcessBudget();
        try (LeasePool<String, Fake> serve = new LeasePool<>("serve", budget);
             LeasePool<String, Fake> mount = new LeasePool<>("mount", budget)) {
            Lease<Fake> a = serve.acquire("a", LONG, 2, soon(5_000), this::start);
            Lease<Fake> b = mount.acquire("b", LONG, 2, soon(5_000), this::start);
            a.close();
            Thread.sleep(20);
            b.close();
            assertEquals(2, budget.held());
            Lease<Fake> c = mount.acquire("c", LONG, 2, soon(5_000), this::start);
            assertFalse(a.member().isAlive(), "a, idle longest (and in the other pool), made room");
            assertTrue(b.member().isAlive(), "b stays: it became idle later");
            assertEquals(2, budget.held());
            assertEquals(1L, serve.stats().get("pool_evicted_for_room"));
            assertEquals(1L, budget.evictions());
            c.close();
        }
        assertEquals(0, budget.held(), "every stop gave its permit back");
    }

    @Test
    void withEveryMemberLeasedAStartWaitsForOneToBeReleased() throws Exception {
        ProcessBudget budget = new ProcessBudget();
        try (LeasePool<String, Fake> p = new LeasePool<>("test", budget)) {
            Lease<Fake> a = p.acquire("a", LONG, 1, soon(5_000), this::start);
            ExecutorService threads = Executors.newSingleThreadExecutor();
            Future<Lease<Fake>> b = threads.submit(() -> p.acquire("b", LONG, 1, soon(5_000), this::start));
            Thread.sleep(300);
            assertFalse(b.isDone(), "b waits: the only process serves a");
            a.close();
            Lease<Fake> lease = b.get(5, TimeUnit.SECONDS);
            assertFalse(a.member().isAlive(), "a's released member made room for b");
            assertEquals(1L, budget.waits());
            lease.close();
            threads.shutdown();
        }
    }

    @Test
    void aStartThatFindsNoRoomBeforeItsDeadlineFailsAndLeasesNothing() throws Exception {
        ProcessBudget budget = new ProcessBudget();
        try (LeasePool<String, Fake> p = new LeasePool<>("test", budget)) {
            Lease<Fake> a = p.acquire("a", LONG, 1, soon(5_000), this::start);
            long t0 = System.nanoTime();
            ProcessBudget.Exhausted e = assertThrows(ProcessBudget.Exhausted.class,
                    () -> p.acquire("b", LONG, 1, soon(400), this::start));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 350 && ms < 3_000, "waited for its deadline: " + ms + " ms");
            assertEquals(1, e.limit());
            assertEquals("1 rclone process runs already (VMAFX_RCLONE_MAX_PROCESSES = 1), it serves an input of a running job, and"
                    + " none was free within 400 ms, so the test process for b cannot start", e.getMessage());
            assertTrue(a.member().isAlive(), "a leased member is never stopped for room");
            assertEquals(1, budget.held());
            assertEquals(1, starts.get(), "b was never started");
            a.close();
        }
        assertEquals(0, budget.held());
    }

    @Test
    void aDeadLeasedMemberMakesRoomAndAFailedStartGivesItsPermitBack() throws Exception {
        ProcessBudget budget = new ProcessBudget();
        try (LeasePool<String, Fake> p = new LeasePool<>("test", budget)) {
            Lease<Fake> a = p.acquire("a", LONG, 1, soon(5_000), this::start);
            a.member().alive = false; // its rclone died under a job that still holds the lease
            assertThrows(IllegalStateException.class, () -> p.acquire("b", LONG, 1, soon(5_000), k -> {
                throw new IllegalStateException("rclone would not start");
            }));
            assertEquals(1, a.member().stops, "the dead member was cleaned up to make room");
            assertEquals(0, budget.held(), "the failed start gave its permit back");
            Lease<Fake> b = p.acquire("b", LONG, 1, soon(5_000), this::start);
            assertTrue(b.fresh());
            a.close();
            b.close();
        }
    }

    @Test
    void theLimitIsAWholeNumberOfOneOrMoreNamedInTheMessage() {
        assertEquals(ProcessBudget.DEFAULT, ProcessBudget.limit(v -> java.util.Optional.empty()));
        assertEquals(3, ProcessBudget.limit(v -> java.util.Optional.of(" 3 ")));
        for (String bad : List.of("0", "-1", "many", "2.5", "99999999999")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ProcessBudget.limit(v -> java.util.Optional.of(bad)));
            assertTrue(e.getMessage().startsWith("VMAFX_RCLONE_MAX_PROCESSES: expected a whole number"), e.getMessage());
        }
    }
}
