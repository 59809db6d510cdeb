package io.vmafx.rclone;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one running member per key (a remote root), shared by every job that needs it and counted by
 * leases. A member whose last lease is given back is stopped after its idle period unless a new lease
 * comes first; a member found dead on acquire is stopped (its leftovers removed) and replaced.
 *
 * <p>Providers call {@link #acquire} from {@code prepare} (any thread, concurrently), {@link Lease#close()}
 * from the released input, and {@link #close()} once at shutdown. Starting, replacing and evicting a key's
 * member are serialized per key (acquirers for the same key wait, other keys go on), so the start of a new
 * {@code rclone mount} never races the unmount of the old one at the same mount point. Slow work (starting,
 * stopping) runs outside every lock that another key's acquire would need.
 *
 * <p>Members count against a {@link ProcessBudget}, shared with the node's other pools: a start takes a permit
 * (stopping the member idle longest, in any pool, when none is free, or waiting for one up to the prepare's
 * deadline), a stop gives it back.
 *
 * @param <K> the key, a remote root
 * @param <M> the pooled member
 */
public final class LeasePool<K, M extends PooledMember> implements AutoCloseable {

    /** Starts a member for a key; it must stop what it started before throwing. */
    @FunctionalInterface
    public interface Starter<K, M, X extends Exception> {
        M start(K key) throws X, InterruptedException;
    }

    private static final System.Logger LOG = System.getLogger(LeasePool.class.getName());

    /** One started member and its leases; guarded by its slot's monitor. */
    private static final class Entry<M> {
        final M member;
        final Duration idle;
        int leases;
        boolean retired;
        /** When the last lease was given back ({@link System#nanoTime()}), for choosing whom to stop for room. */
        long idleSince;
        ScheduledFuture<?> idleTask;

        Entry(M member, Duration idle) {
            this.member = member;
            this.idle = idle;
        }

        void cancelIdle() {
            if (idleTask != null) {
                idleTask.cancel(false);
                idleTask = null;
            }
        }
    }

    /**
     * A key's place in the pool; its monitor guards its state. {@code busy} while a member is being started,
     * replaced or stopped; {@code retired} once removed from the map (holders then look the key up again).
     */
    private static final class Slot<M> {
        Entry<M> current;
        boolean busy;
        boolean retired;
    }

    private final String name;
    private final ProcessBudget budget;
    private final ProcessBudget.Pool room = this::room;
    private final ConcurrentHashMap<K, Slot<M>> slots = new ConcurrentHashMap<>();
    private final Object timerLock = new Object();
    private ScheduledThreadPoolExecutor timer; // guarded by timerLock; made on the first eviction to schedule
    private volatile boolean closed;
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong stopped = new AtomicLong();
    private final AtomicLong replaced = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    private final AtomicLong evictedForRoom = new AtomicLong();

    /**
     * A pool with a budget of its own (tests; a limit applies only through {@link #acquire(Object, Duration, int,
     * Deadline, Starter)}).
     *
     * @param name names the eviction thread and log lines ({@code http-serve})
     */
    public LeasePool(String name) {
        this(name, new ProcessBudget());
    }

    /** A pool whose members count against {@code budget}: the providers pass {@link ProcessBudget#shared()}. */
    public LeasePool(String name, ProcessBudget budget) {
        this.name = Objects.requireNonNull(name, "name");
        this.budget = Objects.requireNonNull(budget, "budget");
        budget.register(room);
    }

    /**
     * A lease on the running member for {@code key}, starting one with {@code starter} when there is none or
     * it died.
     *
     * @param idle how long the member stays after its last lease, when this call starts it
     * @throws X                     what {@code starter} throws; nothing is leased then
     * @throws InterruptedException  when interrupted while waiting for another thread's start or inside
     *                               {@code starter}; nothing is leased then
     * @throws IllegalStateException when the pool is closed
     */
    public <X extends Exception> Lease<M> acquire(K key, Duration idle, Starter<K, M, X> starter) throws X, InterruptedException {
        try {
            return acquire(key, idle, Integer.MAX_VALUE, Deadline.after(Duration.ofDays(365)), starter);
        } catch (ProcessBudget.Exhausted e) {
            throw new IllegalStateException("no limit, yet the budget is exhausted", e);
        }
    }

    /**
     * Like {@link #acquire(Object, Duration, Starter)}, starting a member only within the budget: at most
     * {@code limit} members of every pool sharing it at once.
     *
     * @throws ProcessBudget.Exhausted when a start is needed, all {@code limit} members serve jobs, and none is
     *                                 released before {@code deadline}; nothing is leased then
     */
    public <X extends Exception> Lease<M> acquire(K key, Duration idle, int limit, Deadline deadline, Starter<K, M, X> starter)
            throws X, InterruptedException, ProcessBudget.Exhausted {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(idle, "idle");
        while (true) {
            ensureOpen();
            Slot<M> slot = slots.computeIfAbsent(key, k -> new Slot<>());
            Entry<M> dead = null;
            synchronized (slot) {
                while (slot.busy) {
                    slot.wait();
                }
                if (slot.retired) {
                    continue;
                }
                ensureOpen();
                Entry<M> current = slot.current;
                if (current != null && current.member.isAlive()) {
                    current.leases++;
                    current.cancelIdle();
                    return new Lease<>(current.member, false, () -> release(key, slot, current));
                }
                if (current != null) {
                    dead = current;
                    dead.retired = true;
                    dead.cancelIdle();
                    slot.current = null;
                }
                slot.busy = true;
            }
            return startMember(key, slot, dead, idle, limit, deadline, starter);
        }
    }

    /** Runs with {@code slot.busy} set: stops the dead member if any, takes a permit, starts a new one, leases it. */
    private <X extends Exception> Lease<M> startMember(K key, Slot<M> slot, Entry<M> dead, Duration idle, int limit,
                                                       Deadline deadline, Starter<K, M, X> starter)
            throws X, InterruptedException, ProcessBudget.Exhausted {
        Entry<M> fresh = null;
        try {
            if (dead != null) {
                // Its leases are still open, but a dead process serves none of them: clean up now, so the
                // replacement does not meet its stale mount or its cache lock.
                LOG.log(System.Logger.Level.WARNING, name + ": the process for " + key + " died; starting a new one");
                replaced.incrementAndGet();
                stopMember(dead.member);
            }
            budget.acquire(limit, deadline, "the " + name + " process for " + key);
            M member;
            try {
                member = starter.start(key);
            } catch (Throwable t) {
                budget.release();
                throw t;
            }
            started.incrementAndGet();
            if (closed) {
                stopMember(member);
                throw closedException();
            }
            Entry<M> entry = new Entry<>(member, idle);
            entry.leases = 1;
            fresh = entry;
            return new Lease<>(member, true, () -> release(key, slot, entry));
        } finally {
            synchronized (slot) {
                slot.busy = false;
                if (fresh != null) {
                    slot.current = fresh;
                } else {
                    retire(key, slot);
                }
                slot.notifyAll();
            }
        }
    }

    private void release(K key, Slot<M> slot, Entry<M> entry) {
        synchronized (slot) {
            entry.leases--;
            if (entry.leases == 0 && !entry.retired && slot.current == entry && !closed) {
                entry.idleSince = System.nanoTime();
                budget.idleAvailable();
                ScheduledThreadPoolExecutor t = timer();
                if (t != null) {
                    try {
                        entry.idleTask = t.schedule(() -> evict(key, slot, entry), entry.idle.toNanos(), TimeUnit.NANOSECONDS);
                    } catch (RejectedExecutionException e) {
                        // Closing concurrently: close() stops the member.
                    }
                }
            }
        }
    }

    /** On the timer thread: stops {@code entry} if it is still current and unleased. */
    private void evict(K key, Slot<M> slot, Entry<M> entry) {
        evict(key, slot, entry, false);
    }

    /**
     * Stops {@code entry} if it is still current and unleased, or, {@code forRoom}, dead (its leases serve nothing);
     * whether it did.
     */
    private boolean evict(K key, Slot<M> slot, Entry<M> entry, boolean forRoom) {
        synchronized (slot) {
            if (slot.busy || slot.current != entry || entry.retired
                    || (entry.leases > 0 && !(forRoom && !entry.member.isAlive()))) {
                return false; // leased again, replaced or closed since it was chosen
            }
            entry.cancelIdle();
            slot.busy = true;
            entry.retired = true;
            entry.idleTask = null;
            slot.current = null;
        }
        try {
            if (forRoom) {
                LOG.log(System.Logger.Level.INFO, () -> name + ": stopping the " + (entry.leases > 0 ? "dead" : "idle") + " process for "
                        + key + " to make room for another (" + ProcessBudget.MAX_PROCESSES + ")");
                evictedForRoom.incrementAndGet();
            } else {
                LOG.log(System.Logger.Level.DEBUG, () -> name + ": stopping the idle process for " + key);
                evicted.incrementAndGet();
            }
            stopMember(entry.member);
        } finally {
            synchronized (slot) {
                slot.busy = false;
                retire(key, slot);
                slot.notifyAll();
            }
        }
        return true;
    }

    /** For the budget: the member idle longest, or a dead one, as a way to make room. */
    private Optional<ProcessBudget.Room> room() {
        Entry<M> best = null;
        K bestKey = null;
        Slot<M> bestSlot = null;
        long bestSince = Long.MAX_VALUE;
        for (Map.Entry<K, Slot<M>> e : slots.entrySet()) {
            Slot<M> slot = e.getValue();
            Entry<M> current;
            long since;
            synchronized (slot) {
                current = slot.current;
                if (slot.busy || current == null || current.retired) {
                    continue;
                }
                since = current.leases == 0 ? current.idleSince : Long.MIN_VALUE;
            }
            // A leased member counts only when it is dead; isAlive may read a file, so outside the monitor.
            if (since == Long.MIN_VALUE && current.member.isAlive()) {
                continue;
            }
            if (best == null || since < bestSince) {
                best = current;
                bestKey = e.getKey();
                bestSlot = slot;
                bestSince = since;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        Entry<M> chosen = best;
        K chosenKey = bestKey;
        Slot<M> chosenSlot = bestSlot;
        long chosenSince = bestSince;
        return Optional.of(new ProcessBudget.Room() {
            @Override
            public long idleSince() {
                return chosenSince;
            }

            @Override
            public boolean evict() {
                return LeasePool.this.evict(chosenKey, chosenSlot, chosen, true);
            }
        });
    }

    /** Removes an empty slot from the map; holds the slot's monitor. */
    private void retire(K key, Slot<M> slot) {
        if (slot.current == null && !slot.retired) {
            slot.retired = true;
            slots.remove(key, slot);
        }
    }

    private void stopMember(M member) {
        try {
            member.stop();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, name + ": stopping " + member + " failed", e);
        } finally {
            stopped.incrementAndGet();
            budget.release();
        }
    }

    private ScheduledThreadPoolExecutor timer() {
        synchronized (timerLock) {
            if (timer == null && !closed) {
                ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread thread = new Thread(r, "vmafx-" + name + "-idle");
                    thread.setDaemon(true); // an idle timer must never keep the JVM alive
                    return thread;
                });
                t.setRemoveOnCancelPolicy(true);
                timer = t;
            }
            return timer;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw closedException();
        }
    }

    private IllegalStateException closedException() {
        return new IllegalStateException("the " + name + " pool is closed");
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Gauges and totals: {@code pool_members} (running), {@code pool_leases} (open leases on running members),
     * {@code pool_started}, {@code pool_stopped}, {@code pool_replaced} (found dead), {@code pool_evicted} (idle),
     * {@code pool_evicted_for_room} (stopped so that another root's process could start within the budget).
     */
    public Map<String, Number> stats() {
        int members = 0;
        int leases = 0;
        for (Slot<M> slot : slots.values()) {
            synchronized (slot) {
                if (slot.current != null) {
                    members++;
                    leases += slot.current.leases;
                }
            }
        }
        Map<String, Number> m = new LinkedHashMap<>();
        m.put("pool_members", members);
        m.put("pool_leases", leases);
        m.put("pool_started", started.get());
        m.put("pool_stopped", stopped.get());
        m.put("pool_replaced", replaced.get());
        m.put("pool_evicted", evicted.get());
        m.put("pool_evicted_for_room", evictedForRoom.get());
        return m;
    }

    /**
     * Stops every member, leased or not, and refuses new acquires. Waits for starts in progress to finish
     * (bounded by their ready timeouts) so that nothing they start survives. Idempotent; an interrupt does not
     * cut it short, it is kept in the thread's status.
     */
    @Override
    public void close() {
        closed = true;
        budget.unregister(room);
        boolean interrupted = false;
        for (Map.Entry<K, Slot<M>> e : slots.entrySet()) {
            Slot<M> slot = e.getValue();
            Entry<M> toStop;
            synchronized (slot) {
                while (slot.busy) {
                    try {
                        slot.wait();
                    } catch (InterruptedException ie) {
                        interrupted = true;
                    }
                }
                toStop = slot.current;
                if (toStop != null) {
                    toStop.retired = true;
                    toStop.cancelIdle();
                    slot.current = null;
                }
                retire(e.getKey(), slot);
                slot.notifyAll();
            }
            if (toStop != null) {
                stopMember(toStop.member);
            }
        }
        synchronized (timerLock) {
            if (timer != null) {
                timer.shutdownNow();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
