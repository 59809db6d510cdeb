package io.vmafx.core.job;

import io.vmafx.spi.storage.PreparedInput;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * One input's prepare, running on its own thread. Unlike {@code Future.cancel}, {@link #cancel()} only
 * interrupts: the task still ends with a result or an exception, so a prepare that completes despite the
 * interrupt is released rather than leaked.
 */
final class PrepareTask {

    /** A prepare that may throw what {@code StorageProvider.prepare} throws. */
    interface Body {
        PreparedInput run() throws Exception;
    }

    private final CompletableFuture<PreparedInput> result = new CompletableFuture<>();
    private final Object lock = new Object();
    private Thread runner;
    private boolean cancelled;

    PrepareTask(Executor executor, Body body) {
        executor.execute(() -> {
            synchronized (lock) {
                if (cancelled) {
                    result.completeExceptionally(new InterruptedException("cancelled before it started"));
                    return;
                }
                runner = Thread.currentThread();
            }
            try {
                result.complete(body.run());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            } finally {
                synchronized (lock) {
                    runner = null;
                    Thread.interrupted(); // do not hand a pending interrupt to the pool's next task
                }
            }
        });
    }

    /** Waits for the prepared input; interrupting the caller does not abandon the task (see {@link #release()}). */
    PreparedInput get() throws ExecutionException, InterruptedException {
        return result.get();
    }

    /** Waits until either task ends; so a failing side is reported at once, not after the other side's timeout. */
    static void awaitEither(PrepareTask a, PrepareTask b) throws InterruptedException {
        try {
            CompletableFuture.anyOf(a.result, b.result).get();
        } catch (ExecutionException e) {
            // Reported by get() on the failed task.
        }
    }

    /** Whether the task ended with an exception. */
    boolean failed() {
        return result.isCompletedExceptionally();
    }

    /** Interrupts the prepare if it is running, or stops it from starting. */
    void cancel() {
        synchronized (lock) {
            cancelled = true;
            if (runner != null) {
                runner.interrupt();
            }
        }
    }

    /**
     * Cancels if still running, waits for the end without giving up on an interrupt, and closes the prepared
     * input if there is one. The caller's interrupt status is kept.
     */
    void release() {
        if (!result.isDone()) {
            cancel();
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    result.get().close();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    return;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
