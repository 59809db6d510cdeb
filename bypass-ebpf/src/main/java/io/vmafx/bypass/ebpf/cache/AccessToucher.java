package io.vmafx.bypass.ebpf.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells rclone that a bypassed file was used (through its mount, or through its {@code serve http} process), so
 * that its cache sweep (which evicts by last access:
 * {@code --vfs-cache-max-age}, and least recently used first over {@code --vfs-cache-max-size}) does not evict a
 * file that jobs read every few minutes, only through the bypass, an hour after its last FUSE read.
 *
 * <p>How: an open of the FUSE path and a read of its first byte, then close. rclone opens its cache item lazily,
 * on the first read, and records the access there ({@code ATime} in memory and in the metadata file when the
 * handle closes); a bare open records nothing (checked against rclone 1.60.1). The byte comes from the cache
 * file, complete by then, so the remote is not read (rclone checks the object's fingerprint on open, as for any
 * FUSE open, which with the default fingerprint may cost a hash on the remote side, as a FUSE read would).
 *
 * <p>Why this way and not keeping a FUSE handle open for the job: rclone never evicts an open item, but it resets
 * one in place (truncates the very inode the bypass's hard link shares) when its cache disk is full
 * ({@code Item.Reset}); a handle held for the whole job would widen that window from a moment to the job.
 * Why not writing {@code ATime} into the metadata file: rclone keeps the item in memory and rewrites the file from
 * there; an outside write would be lost, or race with rclone's own.
 *
 * <p>Bounded: a FUSE read can block on a hung mount, and a bypass must never hold up or fail a job. A touch runs on
 * one of at most {@link #THREADS} daemon threads (the queue is bounded, excess touches are dropped and counted);
 * the decision waits for it at most {@link #WAIT_MILLIS} (about a millisecond on a healthy mount), so that it is
 * done before core starts the probe's traffic watch for the job and a bypassed input shows no FUSE read at all.
 * A slower touch finishes in the background.
 */
final class AccessToucher implements AutoCloseable {

    static final int THREADS = 2;
    static final int QUEUE = 256;
    static final long WAIT_MILLIS = 250;
    private static final System.Logger LOG = System.getLogger(AccessToucher.class.getName());

    private final ThreadPoolExecutor pool;
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    AccessToucher() {
        pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "vmafx-bypass-touch");
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    /** One way of reading a bypassed object's first byte through rclone. */
    interface Touch {
        void run() throws IOException;

        /** Through the mount: open the FUSE path, read one byte, close. */
        static Touch fuse(Path fusePath) {
            return new Touch() {
                @Override
                public void run() throws IOException {
                    touchNow(fusePath);
                }

                @Override
                public String toString() {
                    return fusePath + " through the mount";
                }
            };
        }

        /**
         * Through {@code rclone serve http}: a GET of byte 0 of {@code location} (its URL with the serve process's
         * credentials, which go into a header, never into a log). rclone serve http opens its VFS item for the read
         * and records the access as a FUSE read does.
         */
        static Touch http(String location) {
            return new HttpTouch(location);
        }
    }

    /**
     * How often one cache file is touched at most. rclone evicts by last access older than {@code --vfs-cache-max-age}
     * (an hour by default) and, over {@code --vfs-cache-max-size}, least recently accessed first: an access recorded up
     * to a minute late changes neither noticeably. Touching on every decision made each one wait for a FUSE open, in
     * which rclone checks the object's fingerprint (on local and SFTP remotes, after a re-list, by hashing it whole).
     */
    static final long INTERVAL_NANOS = 60_000_000_000L;
    static final int REMEMBERED = 4096;
    private final java.util.Map<String, Long> lastTouched = new java.util.LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final AtomicLong skipped = new AtomicLong();

    /**
     * {@link #touch(Touch, long)} unless the cache file {@code key} was touched less than {@link #INTERVAL_NANOS} ago
     * (then nothing is done, and counted as skipped).
     */
    void touchAtMostEveryInterval(String key, Touch what, long waitMillis) throws InterruptedException {
        long now = System.nanoTime();
        synchronized (lastTouched) {
            Long last = lastTouched.get(key);
            if (last != null && now - last < INTERVAL_NANOS) {
                skipped.incrementAndGet();
                return;
            }
            lastTouched.put(key, now);
        }
        touch(what, waitMillis);
    }

    long skipped() {
        return skipped.get();
    }

    /**
     * A one-byte read through rclone, waiting for it at most {@code waitMillis}; never throws.
     *
     * @throws InterruptedException when interrupted while waiting (the touch goes on)
     */
    void touch(Touch what, long waitMillis) throws InterruptedException {
        java.util.concurrent.Future<?> f;
        try {
            f = pool.submit(() -> {
                try {
                    what.run();
                    done.incrementAndGet();
                } catch (IOException | RuntimeException e) {
                    failed.incrementAndGet();
                    LOG.log(System.Logger.Level.DEBUG, () -> "bypass: cannot touch " + what + ": " + e);
                }
            });
        } catch (RejectedExecutionException e) {
            dropped.incrementAndGet();
            return;
        }
        try {
            f.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException
                 | java.util.concurrent.CancellationException e) {
            // slow mount: it finishes in the background
        }
    }

    /** Open, read one byte at offset 0, close. */
    static void touchNow(Path fusePath) throws IOException {
        try (FileChannel ch = FileChannel.open(fusePath, StandardOpenOption.READ)) {
            ch.read(ByteBuffer.allocate(1), 0);
        }
    }

    long done() {
        return done.get();
    }

    long failed() {
        return failed.get();
    }

    long dropped() {
        return dropped.get();
    }

    /** Waits up to {@code millis} for queued touches (tests). */
    boolean awaitIdle(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (pool.getActiveCount() > 0 || !pool.getQueue().isEmpty()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Drops queued touches and interrupts running ones. */
    @Override
    public void close() {
        pool.shutdownNow();
    }
}
