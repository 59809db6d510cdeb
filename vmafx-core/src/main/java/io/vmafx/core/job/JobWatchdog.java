package io.vmafx.core.job;

import io.vmafx.core.score.ProgressListener;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Ends a job that will not end by itself: one whose scoring compares no frame for the stall timeout, or that runs
 * past its deadline. It first aborts the inputs' blocked reads (a read stuck in a FUSE mount is one neither a signal
 * nor a kill can end; {@code PreparedInput.abortReads}), then interrupts the job's thread, which kills the scorer
 * and releases the inputs as a cancellation does; the executor then reports {@link #verdict()} instead of a
 * cancellation. Made by {@link JobExecutor} around each scoring run; its checks run on the executor's clock thread.
 */
final class JobWatchdog implements AutoCloseable {

    /** The clock the checks run on: one daemon thread, owned (and shut down) by the executor. */
    static ScheduledExecutorService clock() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vmafx-job-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    private final Thread job;
    private final Duration stall;
    private final long deadlineNanos;
    private final List<BooleanSupplier> aborts;
    private final ScheduledFuture<?> check;
    private volatile long lastProgressNanos;
    private volatile long frames;
    private volatile String verdict;
    private boolean closed;

    /**
     * @param job      the thread running the job (interrupted when the watchdog fires)
     * @param stall    how long scoring may compare no frame; zero or negative: no stall check
     * @param deadline when the job must have ended, as {@link System#nanoTime()}; {@link Long#MAX_VALUE}: never
     * @param aborts   each input's read abort, tried in order when the watchdog fires
     */
    JobWatchdog(ScheduledExecutorService clock, Thread job, Duration stall, long deadline, List<BooleanSupplier> aborts) {
        this.job = job;
        this.stall = stall;
        this.deadlineNanos = deadline;
        this.aborts = List.copyOf(aborts);
        this.lastProgressNanos = System.nanoTime();
        long period = Math.max(50, Math.min(1000, stall.isZero() || stall.isNegative() ? 1000 : stall.toMillis() / 4));
        this.check = clock.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    /** {@code listener}, and this watchdog told of every frame. */
    ProgressListener watching(ProgressListener listener) {
        return new ProgressListener() {
            @Override
            public void update(long framesDone, double fps) {
                if (framesDone != frames) {
                    frames = framesDone;
                    lastProgressNanos = System.nanoTime();
                }
                listener.update(framesDone, fps);
            }

            @Override
            public void done() {
                listener.done();
            }
        };
    }

    private synchronized void check() {
        if (verdict != null || closed) {
            return;
        }
        long now = System.nanoTime();
        String why = null;
        if (now - deadlineNanos >= 0) {
            why = "deadline";
        } else if (!stall.isZero() && !stall.isNegative() && now - lastProgressNanos >= stall.toNanos()) {
            why = "stall";
        }
        if (why == null) {
            return;
        }
        boolean aborted = false;
        for (BooleanSupplier abort : aborts) {
            try {
                aborted |= abort.getAsBoolean();
            } catch (RuntimeException e) {
                // An abort that fails leaves the interrupt below; the job still ends unless a read is stuck.
            }
        }
        String after = aborted ? "; its blocked reads were aborted" : "";
        verdict = why.equals("deadline")
                ? "ran past its deadline" + after
                : "stalled: no frame compared for " + human(stall) + " after " + frames + " frames" + after;
        job.interrupt();
    }

    /** Why the watchdog ended the job, or empty when it did not. */
    Optional<String> verdict() {
        return Optional.ofNullable(verdict);
    }

    static String human(Duration d) {
        return d.toMillis() % 1000 != 0 ? d.toMillis() + " ms" : d.toSeconds() + " s";
    }

    /** Stops watching; once it returns, the watchdog interrupts the job's thread no more. */
    @Override
    public synchronized void close() {
        closed = true;
        check.cancel(false);
    }
}
