package io.vmafx.bypass.ebpf.probe;

/**
 * The probe's own counters since it started.
 *
 * @param ringBufferDrops open/close events the kernel could not queue because the ring buffer was full
 * @param localDrops      events dropped on the Java side because nobody drained them (see
 *                        {@link ProbeSession#drainOpenEvents()})
 * @param opensMatched    open calls whose path is the prefix or below it
 * @param opensTracked    ... that succeeded, tracked by (pid, fd)
 * @param closesTracked   close calls of a tracked descriptor
 * @param readsCounted    reads of watched FUSE files counted
 * @param readErrors      ... that returned an error
 * @param inflightFull    opens or reads not followed because a per-thread map was full
 * @param countersFull    per-file counters that could not be created
 * @param devicesWatchedByProbe FUSE devices the probe added to the watch list itself (from opens under the prefix)
 */
public record ProbeStats(long ringBufferDrops, long localDrops, long opensMatched, long opensTracked,
                         long closesTracked, long readsCounted, long readErrors, long inflightFull, long countersFull,
                         long devicesWatchedByProbe) {

    static ProbeStats of(long[] s, long localDrops) {
        return new ProbeStats(s[EventLayout.STAT_RINGBUF_DROPS], localDrops, s[EventLayout.STAT_OPENS_MATCHED],
                s[EventLayout.STAT_OPENS_TRACKED], s[EventLayout.STAT_CLOSES_TRACKED], s[EventLayout.STAT_READS_COUNTED],
                s[EventLayout.STAT_READ_ERRORS], s[EventLayout.STAT_PENDING_FULL], s[EventLayout.STAT_STATS_FULL],
                s[EventLayout.STAT_DEVS_WATCHED]);
    }

    /** Events lost, in the kernel and here. */
    public long drops() {
        return ringBufferDrops + localDrops;
    }
}
