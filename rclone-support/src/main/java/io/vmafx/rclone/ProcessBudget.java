package io.vmafx.rclone;

import io.vmafx.spi.NodeSettings;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many long-running rclone processes ({@code serve http}, {@code mount}) the node runs at once, across both
 * providers: {@value #MAX_PROCESSES} (default {@value #DEFAULT}). Each costs some 40 to 50 MB of memory, and one
 * per remote root is pooled, so without a bound a stream of jobs naming distinct roots (on-the-fly
 * {@code :sftp,host=...} ones) would keep adding processes until the idle timeout.
 *
 * <p>A {@link LeasePool} takes a permit before it starts a member and gives it back when the member stops. When
 * none is left it makes room: first it stops the member that has been idle longest (no lease) or is dead, in any
 * pool of the node; when every member serves a job, the prepare waits until one is released, up to its deadline,
 * and then fails with {@link Exhausted}. The short {@code rclone lsjson --stat} checks are not counted: each ends
 * within its prepare's deadline.
 *
 * <p>The default is enough for four jobs at once that each read two distinct remote roots (the default two slots
 * need four); raise it with {@code VMAFX_NODE_SLOTS} above four, or a job may wait for another's processes.
 * Thread-safe; {@link #shared()} is the node's (one per JVM: both providers see it).
 */
public final class ProcessBudget {

    public static final String MAX_PROCESSES = "VMAFX_RCLONE_MAX_PROCESSES";
    public static final int DEFAULT = 8;

    private static final ProcessBudget SHARED = new ProcessBudget();

    /** What a pool offers to make room: its member idle longest (or dead), and how to stop it. */
    interface Room {
        /** When the candidate became idle ({@link System#nanoTime()}); {@link Long#MIN_VALUE} for a dead one. */
        long idleSince();

        /** Stops it if it is still idle (or dead) and unleased; whether it did. */
        boolean evict();
    }

    /** A pool whose members count against the budget. */
    interface Pool {
        Optional<Room> room();
    }

    /** No permit was free before the deadline: every process serves a running job. */
    public static final class Exhausted extends Exception {
        private static final long serialVersionUID = 1L;
        private final int limit;

        Exhausted(int limit, String message) {
            super(message);
            this.limit = limit;
        }

        /** The limit that was reached. */
        public int limit() {
            return limit;
        }
    }

    private final List<Pool> pools = new CopyOnWriteArrayList<>();
    private final AtomicLong evictions = new AtomicLong();
    private final AtomicLong waits = new AtomicLong();
    private int held; // guarded by this

    /** A budget of its own (tests); nodes use {@link #shared()}. */
    public ProcessBudget() {
    }

    /** The node's budget, shared by every pool in this JVM. */
    public static ProcessBudget shared() {
        return SHARED;
    }

    /**
     * The configured limit.
     *
     * @throws IllegalArgumentException for a malformed value or one below 1; the message names the variable
     */
    public static int limit(NodeSettings settings) {
        Optional<String> raw = settings.get(MAX_PROCESSES).map(String::trim).filter(s -> !s.isEmpty());
        if (raw.isEmpty()) {
            return DEFAULT;
        }
        String expected = MAX_PROCESSES + ": expected a whole number of rclone processes, 1 or more, got '" + raw.get() + "'";
        if (!raw.get().matches("\\d{1,9}")) {
            throw new IllegalArgumentException(expected);
        }
        int n = Integer.parseInt(raw.get());
        if (n < 1) {
            throw new IllegalArgumentException(expected);
        }
        return n;
    }

    void register(Pool pool) {
        pools.add(pool);
    }

    void unregister(Pool pool) {
        pools.remove(pool);
    }

    /**
     * Takes one permit, making room or waiting when all {@code limit} are held.
     *
     * @param what names the process to start, for the message ({@code rclone mount media:})
     * @throws Exhausted            when {@code deadline} passes with every permit held by a member that serves a job
     * @throws InterruptedException when interrupted while waiting; no permit is taken
     */
    void acquire(int limit, Deadline deadline, String what) throws Exhausted, InterruptedException {
        boolean waited = false;
        while (true) {
            synchronized (this) {
                if (held < limit) {
                    held++;
                    return;
                }
            }
            if (makeRoom()) {
                continue;
            }
            synchronized (this) {
                if (held < limit) {
                    continue;
                }
                if (deadline.expired()) {
                    throw new Exhausted(limit, (held == 1 ? "1 rclone process runs" : held + " rclone processes run")
                            + " already (" + MAX_PROCESSES + " = " + limit + "), " + (held == 1 ? "it serves" : "each serving")
                            + " an input of a running job, and none was free within " + deadline.describe() + ", so " + what
                            + " cannot start");
                }
                if (!waited) {
                    waited = true;
                    waits.incrementAndGet();
                }
                // Woken when a permit is given back or a member becomes idle; the timeout bounds a missed wake-up.
                wait(Math.max(1, Math.min(200, deadline.remaining().toMillis())));
            }
        }
    }

    /** Stops the pooled member idle longest (or a dead one) in any pool; whether one was stopped. */
    private boolean makeRoom() {
        for (int tries = 0; tries < 3; tries++) {
            Room best = null;
            for (Pool p : pools) {
                Optional<Room> r = p.room();
                if (r.isPresent() && (best == null || r.get().idleSince() < best.idleSince())) {
                    best = r.get();
                }
            }
            if (best == null) {
                return false;
            }
            if (best.evict()) {
                evictions.incrementAndGet();
                return true;
            }
            // Leased again meanwhile: look once more.
        }
        return false;
    }

    /** Gives a permit back (a member stopped, or a start failed). */
    synchronized void release() {
        if (held > 0) {
            held--;
        }
        notifyAll();
    }

    /** A member became idle: a waiting acquire may now stop it to make room. */
    synchronized void idleAvailable() {
        notifyAll();
    }

    /** Permits held now: rclone processes running or starting. */
    public synchronized int held() {
        return held;
    }

    /** How many members were stopped to make room. */
    public long evictions() {
        return evictions.get();
    }

    /** How many acquires had to wait for a member to be released. */
    public long waits() {
        return waits.get();
    }
}
