package io.vmafx.storage.fuse;

import io.vmafx.rclone.Deadline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code stat} of a path on a FUSE mount, bounded by a deadline and interruptible. A stat on a mount whose
 * rclone hangs (a remote that stopped answering) blocks in the kernel where {@link Thread#interrupt()} cannot
 * reach; on a thread of its own it holds up only that thread, and the prepare can still time out or be
 * cancelled. The stuck thread returns once the mount is stopped.
 */
final class FileProbe implements AutoCloseable {

    private final AtomicInteger n = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "vmafx-mount-stat-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    /**
     * The attributes of {@code path}, following links.
     *
     * @throws IOException          what the stat threw ({@code NoSuchFileException}, ...)
     * @throws TimeoutException     when the deadline passed first
     * @throws InterruptedException when interrupted while waiting
     */
    BasicFileAttributes stat(Path path, Deadline deadline) throws IOException, TimeoutException, InterruptedException {
        Future<BasicFileAttributes> f;
        try {
            f = threads.submit(() -> Files.readAttributes(path, BasicFileAttributes.class));
        } catch (RejectedExecutionException e) {
            throw new IOException("the mount storage is closed", e);
        }
        try {
            return f.get(Math.max(0, deadline.remaining().toNanos()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException) {
                throw (IOException) e.getCause();
            }
            throw new IOException(e.getCause());
        } catch (TimeoutException | InterruptedException e) {
            f.cancel(true);
            throw e;
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
