package io.vmafx.bypass.ebpf.probe;

import io.vmafx.spi.bypass.FuseTraffic;

/**
 * What the probe counted for one FUSE file since it started (or since a baseline, see {@link #minus}): reads of
 * it through any descriptor of any process.
 *
 * @param bytes             bytes returned by successful reads
 * @param reads             read calls that returned (errors and end-of-file included)
 * @param errors            read calls that returned an error
 * @param totalLatencyNanos the sum of the read calls' latencies (entry to return)
 * @param maxLatencyNanos   the slowest read call
 * @param firstReadNanos    CLOCK_MONOTONIC time of the first counted read (0 for {@link #ZERO})
 * @param lastReadNanos     CLOCK_MONOTONIC time of the last counted read
 */
public record FileCounters(long bytes, long reads, long errors, long totalLatencyNanos, long maxLatencyNanos,
                           long firstReadNanos, long lastReadNanos) {

    public static final FileCounters ZERO = new FileCounters(0, 0, 0, 0, 0, 0, 0);

    static FileCounters of(long[] v, int offset) {
        return new FileCounters(v[offset], v[offset + 1], v[offset + 2], v[offset + 3], v[offset + 4], v[offset + 5],
                v[offset + 6]);
    }

    /**
     * What was counted after {@code baseline} was taken: bytes, reads, errors and total latency are differences
     * (never negative: counters that were evicted and recreated start again from zero); the maximum and the times
     * are this snapshot's, except that the first read's time is 0 (unknown) when the baseline had reads already.
     */
    public FileCounters minus(FileCounters baseline) {
        if (bytes < baseline.bytes || reads < baseline.reads) {
            return this; // the counters were evicted and started again after the baseline
        }
        return new FileCounters(bytes - baseline.bytes, reads - baseline.reads, Math.max(0, errors - baseline.errors),
                Math.max(0, totalLatencyNanos - baseline.totalLatencyNanos), maxLatencyNanos,
                baseline.reads == 0 ? firstReadNanos : 0, lastReadNanos);
    }

    /** Mean latency of a read call in nanoseconds, 0 without reads. */
    public long meanLatencyNanos() {
        return reads == 0 ? 0 : totalLatencyNanos / reads;
    }

    /** As the SPI reports it. */
    public FuseTraffic toTraffic() {
        return new FuseTraffic(bytes, reads);
    }
}
