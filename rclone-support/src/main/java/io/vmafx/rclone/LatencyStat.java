package io.vmafx.rclone;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Count, sum and maximum of durations in microseconds; lock-free, for {@link PrepareCounters}. */
final class LatencyStat {

    private final LongAdder count = new LongAdder();
    private final LongAdder sumMicros = new LongAdder();
    private final AtomicLong maxMicros = new AtomicLong();

    void record(long nanos) {
        long micros = Math.max(0, nanos / 1_000);
        count.increment();
        sumMicros.add(micros);
        maxMicros.accumulateAndGet(micros, Math::max);
    }

    /** Adds {@code <prefix>_count}, {@code <prefix>_us_sum} and {@code <prefix>_us_max} to {@code into}. */
    void addTo(Map<String, Number> into, String prefix) {
        into.put(prefix + "_count", count.sum());
        into.put(prefix + "_us_sum", sumMicros.sum());
        into.put(prefix + "_us_max", maxMicros.get());
    }
}
