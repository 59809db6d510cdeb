package io.vmafx.bypass.ebpf.probe;

import io.vmafx.spi.bypass.TrafficWatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The eBPF probe, loaded and attached for one mount prefix until {@link #close()}.
 *
 * <p>What it sees:
 * <ul>
 *   <li><b>opens</b> of paths under the prefix ({@code openat}, {@code openat2}, {@code open}; absolute paths only: a
 *       path relative to a directory descriptor or the working directory cannot be matched in the kernel) and the
 *       closes of the descriptors they returned: {@link OpenEvent}s, delivered to listeners and kept for
 *       {@link #drainOpenEvents()}; the descriptors still open: {@link #trackedFiles()};</li>
 *   <li><b>reads</b> of every file on a <em>watched</em> FUSE device, through any descriptor of any process, counted
 *       per file by {@link FileKey} (st_dev, st_ino): {@link #counters(FileKey)}; their latencies in a log2
 *       {@link #latencyHistogram()}. A FUSE device is watched once a file on it is opened under the prefix, or
 *       when {@link #watch(Path)} / {@link #trafficWatch(Path)} / {@link #watchDevice(long)} name it.</li>
 * </ul>
 * Not counted: reads through mmap, splice, sendfile, copy_file_range and io_uring.
 *
 * <p>Thread-safe: every method may be called from any thread; {@link #close()} waits for calls under way,
 * detaches every program and frees the maps; afterwards the methods throw {@link IllegalStateException} (except
 * {@link #close()}, {@link #isOpen()} and the describing getters). A daemon thread drains the ring buffer
 * every 100 ms.
 *
 * <p>For a benchmark of what the probe costs: read a file on a mount with no session, then with one started
 * ({@link #start(String)}) for the mount's prefix and the device watched ({@link #watch(Path)}), and compare.
 */
public final class ProbeSession implements AutoCloseable {

    /** The node's default mount root, which is the prefix unless VMAFX_EBPF_MOUNT_PREFIX says otherwise. */
    public static final String DEFAULT_PREFIX = "/run/vmafx/mounts";
    /** Test hook: {@code -Dvmafx.bypass.selftest=verifier-reject} makes every load include a program the verifier refuses. */
    public static final String SELFTEST_PROPERTY = "vmafx.bypass.selftest";
    /** Open events kept for {@link #drainOpenEvents()} before the oldest are dropped. */
    public static final int EVENT_BUFFER = 65_536;

    private static final System.Logger LOG = System.getLogger(ProbeSession.class.getName());
    private static final int POLL_MS = 100;

    private final String prefix;
    private final ReadPath readPath;
    private final String readPathNote;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ReentrantLock pollLock = new ReentrantLock();
    private final ArrayDeque<OpenEvent> events = new ArrayDeque<>();
    private final CopyOnWriteArrayList<Consumer<OpenEvent>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong localDrops = new AtomicLong();
    private final Thread poller;
    private long handle;
    private volatile boolean closed;

    private ProbeSession(long handle, String prefix) {
        this.handle = handle;
        this.prefix = prefix;
        this.readPath = ReadPath.values()[NativeProbe.readPath(handle)];
        String note = NativeProbe.readPathNote(handle);
        this.readPathNote = note == null || note.isEmpty() ? null : note;
        this.poller = new Thread(this::pollLoop, "vmafx-probe-events");
        this.poller.setDaemon(true);
    }

    /** Whether the native library loaded on this machine (it says nothing yet about the kernel). */
    public static boolean isSupported() {
        return NativeProbe.IS_SUPPORTED;
    }

    /** Why the native library could not be loaded, or empty. */
    public static Optional<String> unsupportedReason() {
        return Optional.ofNullable(NativeProbe.LOAD_ERROR);
    }

    /** The version of the libbpf linked into the native library. */
    public static String libbpfVersion() {
        requireSupported();
        return NativeProbe.libbpfVersion();
    }

    /** Starts the probe for {@code prefix}, on the best read path the kernel allows ({@link ReadPath#AUTO}). */
    public static ProbeSession start(String prefix) throws ProbeException {
        return start(prefix, ReadPath.AUTO);
    }

    /**
     * Loads the BPF programs for {@code prefix} (an absolute path; normalised, at most 255 bytes of UTF-8) and
     * attaches them.
     *
     * @throws ProbeException when the library is missing, the kernel refuses a program (with the verifier's log),
     *                        tracefs is not mounted, or an attach fails; the message says which and why
     */
    public static ProbeSession start(String prefix, ReadPath readPath) throws ProbeException {
        return start(prefix, readPath, selftestFlags());
    }

    static ProbeSession start(String prefix, ReadPath readPath, int flags) throws ProbeException {
        requireSupportedChecked();
        String p = normalizePrefix(prefix);
        long h = NativeProbe.start(p.getBytes(StandardCharsets.UTF_8), Objects.requireNonNull(readPath, "readPath").ordinal(),
                flags & ~NativeProbe.FLAG_LOAD_ONLY);
        ProbeSession s = new ProbeSession(h, p);
        s.poller.start();
        LOG.log(System.Logger.Level.INFO, () -> "eBPF probe attached for " + p + ", reads counted by "
                + s.readPath + s.readPathNote().map(n -> " (" + n + ")").orElse(""));
        return s;
    }

    /**
     * A trial load: the programs for {@code prefix} go through the kernel's verifier and are unloaded again; nothing
     * is attached. For preflight.
     *
     * @return the read path the kernel would give ({@link ReadPath#FENTRY} or {@link ReadPath#SYSCALL_TRACEPOINTS})
     * @throws ProbeException why the kernel refused, with the verifier's log when it was the verifier
     */
    public static ReadPath trialLoad(String prefix) throws ProbeException {
        requireSupportedChecked();
        long h = NativeProbe.start(normalizePrefix(prefix).getBytes(StandardCharsets.UTF_8), ReadPath.AUTO.ordinal(),
                NativeProbe.FLAG_LOAD_ONLY | selftestFlags());
        try {
            return ReadPath.values()[NativeProbe.readPath(h)];
        } finally {
            NativeProbe.stop(h);
        }
    }

    /**
     * {@code prefix} as the probe compares it: absolute, normalised ({@code .}, {@code ..} and repeated slashes
     * resolved lexically), without a trailing slash (except "/"), at most 255 bytes of UTF-8.
     *
     * @throws IllegalArgumentException when it is not such a path
     */
    public static String normalizePrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("the mount prefix contains a NUL byte");
        }
        Path p = Path.of(prefix);
        if (!p.isAbsolute()) {
            throw new IllegalArgumentException("the mount prefix must be an absolute path: " + prefix);
        }
        String n = p.normalize().toString();
        if (n.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("the mount prefix is longer than 255 bytes: " + n);
        }
        return n;
    }

    private static int selftestFlags() {
        return "verifier-reject".equals(System.getProperty(SELFTEST_PROPERTY)) ? NativeProbe.FLAG_SELFTEST_REJECT : 0;
    }

    private static void requireSupported() {
        if (!NativeProbe.IS_SUPPORTED) {
            throw new IllegalStateException("the eBPF probe's native library is not loaded: " + NativeProbe.LOAD_ERROR);
        }
    }

    private static void requireSupportedChecked() throws ProbeException {
        if (!NativeProbe.IS_SUPPORTED) {
            throw new ProbeException("the eBPF probe's native library is not loaded: " + NativeProbe.LOAD_ERROR);
        }
    }

    /** The prefix watched, normalised. */
    public String prefix() {
        return prefix;
    }

    /** Where reads are counted: {@link ReadPath#FENTRY} or {@link ReadPath#SYSCALL_TRACEPOINTS}. */
    public ReadPath readPath() {
        return readPath;
    }

    /** Why {@link ReadPath#AUTO} did not get fentry/fexit, when it did not. */
    public Optional<String> readPathNote() {
        return Optional.ofNullable(readPathNote);
    }

    public boolean isOpen() {
        return !closed;
    }

    // ---- reads ----

    /**
     * Makes sure the reads of {@code fusePath} are counted (its device joins the watched devices) and returns its
     * key. {@code fusePath} is the file on the mount (stat follows links).
     */
    public FileKey watch(Path fusePath) throws IOException, ProbeException {
        FileKey key = FileKey.of(fusePath);
        watchDevice(key.dev());
        return key;
    }

    /** Counts the reads of every FUSE file on device {@code dev} (st_dev) from now on. Idempotent. */
    public void watchDevice(long dev) throws ProbeException {
        lock.readLock().lock();
        try {
            NativeProbe.watchDevice(openHandle(), dev, true);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Stops counting reads on device {@code dev} until a file on it is opened under the prefix again. */
    public void unwatchDevice(long dev) throws ProbeException {
        lock.readLock().lock();
        try {
            NativeProbe.watchDevice(openHandle(), dev, false);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The watched devices (st_dev). */
    public List<Long> watchedDevices() throws ProbeException {
        long[] v;
        lock.readLock().lock();
        try {
            v = NativeProbe.watchedDevices(openHandle());
        } finally {
            lock.readLock().unlock();
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i + EventLayout.ROW_DEV_FIELDS <= v.length; i += EventLayout.ROW_DEV_FIELDS) {
            out.add(v[i]);
        }
        return out;
    }

    /** What was counted for the file {@code key} since the session started; empty when no read of it was counted. */
    public Optional<FileCounters> counters(FileKey key) throws ProbeException {
        long[] v;
        lock.readLock().lock();
        try {
            v = NativeProbe.fileStats(openHandle(), key.dev(), key.ino());
        } finally {
            lock.readLock().unlock();
        }
        return v == null ? Optional.empty() : Optional.of(FileCounters.of(v, 0));
    }

    /** {@link #counters(FileKey)}, or {@link FileCounters#ZERO}. */
    public FileCounters countersOrZero(FileKey key) throws ProbeException {
        return counters(key).orElse(FileCounters.ZERO);
    }

    /** The counters of the file at {@code fusePath} (by stat). */
    public Optional<FileCounters> counters(Path fusePath) throws IOException, ProbeException {
        return counters(FileKey.of(fusePath));
    }

    /** Every file's counters. */
    public Map<FileKey, FileCounters> allCounters() throws ProbeException {
        long[] v;
        lock.readLock().lock();
        try {
            v = NativeProbe.allFileStats(openHandle());
        } finally {
            lock.readLock().unlock();
        }
        Map<FileKey, FileCounters> out = new LinkedHashMap<>();
        int row = EventLayout.ROW_FILE_FIELDS;
        for (int i = 0; i + row <= v.length; i += row) {
            out.put(new FileKey(v[i], v[i + 1]), FileCounters.of(v, i + 2));
        }
        return out;
    }

    /**
     * A {@link TrafficWatch} of {@code fusePath}: it watches the file's device and reports the reads of the file
     * (by any process) from now until it is closed. This is what a provider's {@code watch(PreparedInput)} returns
     * for the input's {@code VfsCacheLocation.fusePath()}.
     */
    public TrafficWatch trafficWatch(Path fusePath) throws IOException, ProbeException {
        FileKey key = watch(fusePath);
        return new FileTrafficWatch(this, key, countersOrZero(key));
    }

    /** The log2 histogram of the latencies of every counted read since the session started. */
    public LatencyHistogram latencyHistogram() {
        lock.readLock().lock();
        try {
            return new LatencyHistogram(NativeProbe.histogram(openHandle()));
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---- opens ----

    /** The open/close events since the last drain (at most {@link #EVENT_BUFFER}; older ones are dropped and counted). */
    public List<OpenEvent> drainOpenEvents() {
        synchronized (events) {
            List<OpenEvent> out = new ArrayList<>(events);
            events.clear();
            return out;
        }
    }

    /**
     * Calls {@code listener} with each open/close event from now on (on the probe's event thread; it must not
     * block). Closing the returned handle removes it.
     */
    public AutoCloseable addOpenEventListener(Consumer<OpenEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Delivers the events waiting in the kernel's ring buffer now, rather than at the next 100 ms poll. */
    public void flushEvents() throws ProbeException {
        pollOnce(0);
    }

    /** The descriptors opened under the prefix and not closed yet. */
    public List<TrackedFile> trackedFiles() throws ProbeException {
        long[] v;
        lock.readLock().lock();
        try {
            v = NativeProbe.trackedFds(openHandle());
        } finally {
            lock.readLock().unlock();
        }
        List<TrackedFile> out = new ArrayList<>();
        for (int i = 0; i + EventLayout.ROW_FD_FIELDS <= v.length; i += EventLayout.ROW_FD_FIELDS) {
            out.add(new TrackedFile((int) v[i], (int) v[i + 1], (int) v[i + 2], new FileKey(v[i + 3], v[i + 4]),
                    v[i + 5] == NativeProbe.FUSE_SUPER_MAGIC, v[i + 5], v[i + 6]));
        }
        return out;
    }

    /** Events lost: the ring buffer was full, or nobody drained them here. */
    public long drops() {
        return stats().drops();
    }

    /** The probe's own counters. */
    public ProbeStats stats() {
        lock.readLock().lock();
        try {
            return ProbeStats.of(NativeProbe.stats(openHandle()), localDrops.get());
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---- life cycle ----

    /** Detaches every program and frees the maps; waits for calls under way. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        lock.writeLock().lock();
        try {
            if (handle != 0) {
                NativeProbe.stop(handle);
                handle = 0;
                LOG.log(System.Logger.Level.INFO, () -> "eBPF probe for " + prefix + " detached");
            }
        } finally {
            lock.writeLock().unlock();
        }
        if (Thread.currentThread() != poller) {
            try {
                poller.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private long openHandle() {
        if (closed || handle == 0) {
            throw new IllegalStateException("the probe session for " + prefix + " is closed");
        }
        return handle;
    }

    private void pollLoop() {
        while (!closed) {
            try {
                pollOnce(POLL_MS);
            } catch (IllegalStateException e) {
                return; // closed meanwhile
            } catch (ProbeException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "eBPF probe: reading open events failed: " + e.getMessage(), e);
                try {
                    Thread.sleep(POLL_MS);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void pollOnce(int timeoutMs) throws ProbeException {
        byte[] data;
        pollLock.lock();
        try {
            lock.readLock().lock();
            try {
                data = NativeProbe.poll(openHandle(), timeoutMs);
            } finally {
                lock.readLock().unlock();
            }
            // delivered under pollLock so that listeners see events in order
            for (int off = 0; data != null && off + NativeProbe.EVENT_SIZE <= data.length; off += NativeProbe.EVENT_SIZE) {
                deliver(OpenEvent.decode(data, off));
            }
        } finally {
            pollLock.unlock();
        }
    }

    private void deliver(OpenEvent e) {
        synchronized (events) {
            if (events.size() >= EVENT_BUFFER) {
                events.removeFirst();
                localDrops.incrementAndGet();
            }
            events.addLast(e);
        }
        for (Consumer<OpenEvent> l : listeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "eBPF probe: an open-event listener failed: " + ex, ex);
            }
        }
    }

    @Override
    public String toString() {
        return "ProbeSession[" + prefix + ", " + readPath + (closed ? ", closed" : "") + "]";
    }
}
