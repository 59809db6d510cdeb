package io.vmafx.bypass.ebpf.cache;

import io.vmafx.spi.bypass.BypassDecision;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bypass's counters, shared by the provider (declines before the cache is looked at) and the decision:
 * {@code offers}, {@code bypassed}, {@code bytes_bypassed} (sizes of the files handed to ffmpeg instead of the
 * FUSE path), {@code declined} and {@code declined_<reason>} for every {@link Decline}, and the housekeeping ones
 * the decision adds ({@link CacheBypass#counters}). Thread-safe.
 */
public final class BypassCounters {

    private final LongAdder offers = new LongAdder();
    private final LongAdder bypassed = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final Map<Decline, LongAdder> declined = new EnumMap<>(Decline.class);

    public BypassCounters() {
        for (Decline d : Decline.values()) {
            declined.put(d, new LongAdder());
        }
    }

    /** One more input offered. */
    public void offered() {
        offers.increment();
    }

    /** A decline for {@code why}, counted, with its sentence and {@code detail}. */
    public BypassDecision decline(Decline why, String detail) {
        declined.get(why).increment();
        return BypassDecision.decline(why.sentence(detail));
    }

    void bypassed(long size) {
        bypassed.increment();
        bytes.add(size);
    }

    long declined(Decline why) {
        return declined.get(why).sum();
    }

    /** {@code offers}, {@code bypassed}, {@code bytes_bypassed}, {@code declined}, {@code declined_<key>}. */
    public Map<String, Number> snapshot() {
        Map<String, Number> m = new LinkedHashMap<>();
        m.put("offers", offers.sum());
        m.put("bypassed", bypassed.sum());
        m.put("bytes_bypassed", bytes.sum());
        long total = 0;
        Map<String, Number> by = new LinkedHashMap<>();
        for (Map.Entry<Decline, LongAdder> e : declined.entrySet()) {
            long n = e.getValue().sum();
            total += n;
            by.put("declined_" + e.getKey().key(), n);
        }
        m.put("declined", total);
        m.putAll(by);
        return m;
    }
}
