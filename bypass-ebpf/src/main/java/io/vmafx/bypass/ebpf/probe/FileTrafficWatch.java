package io.vmafx.bypass.ebpf.probe;

import io.vmafx.spi.bypass.FuseTraffic;
import io.vmafx.spi.bypass.TrafficWatch;

/**
 * The reads of one FUSE file since the watch began: the file's counters now minus those when it began. Reads by
 * any process count (the probe counts per file, not per reader). After {@link #close()} (or once the session is
 * closed) it keeps reporting what it last saw. Thread-safe.
 */
final class FileTrafficWatch implements TrafficWatch {

    private static final System.Logger LOG = System.getLogger(FileTrafficWatch.class.getName());

    private final ProbeSession session;
    private final FileKey key;
    private final FileCounters baseline;
    private FileCounters last = FileCounters.ZERO;
    private boolean closed;

    FileTrafficWatch(ProbeSession session, FileKey key, FileCounters baseline) {
        this.session = session;
        this.key = key;
        this.baseline = baseline;
    }

    /** The file watched. */
    FileKey key() {
        return key;
    }

    /** The counters since the watch began (latencies included). */
    synchronized FileCounters counters() {
        if (!closed && session.isOpen()) {
            try {
                last = session.countersOrZero(key).minus(baseline);
            } catch (ProbeException | IllegalStateException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "eBPF probe: counters of " + key + " unavailable: " + e.getMessage());
            }
        }
        return last;
    }

    @Override
    public FuseTraffic traffic() {
        return counters().toTraffic();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            counters();
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "FileTrafficWatch[" + key + ", " + last + "]";
    }
}
