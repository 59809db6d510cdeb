package io.vmafx.rclone;

import io.vmafx.spi.storage.StorageException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A provider's counters, as {@code StorageProvider.counters()} reports them: {@code prepares},
 * {@code pool_hits}, {@code pool_misses}, {@code passthrough} (http(s) URLs handed on as they are),
 * {@code failures_<cause>} for every {@link StorageException.Cause}, {@code interrupted}, {@code warm_miss_checks}
 * (a warm member said "missing" and the remote was asked directly, see {@link WarmMiss}) and {@code warm_miss_found}
 * (of those, the remote had the object: the member's listing was stale), and prepare latency
 * of successful remote prepares, overall ({@code prepare_*}) and split by pool hit ({@code prepare_warm_*})
 * and miss ({@code prepare_cold_*}). Thread-safe; recording never blocks.
 */
public final class PrepareCounters {

    private final LongAdder prepares = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder passthrough = new LongAdder();
    private final LongAdder interrupted = new LongAdder();
    private final LongAdder warmMissChecks = new LongAdder();
    private final LongAdder warmMissFound = new LongAdder();
    private final Map<StorageException.Cause, LongAdder> failures = new EnumMap<>(StorageException.Cause.class);
    private final LatencyStat all = new LatencyStat();
    private final LatencyStat warm = new LatencyStat();
    private final LatencyStat cold = new LatencyStat();

    public PrepareCounters() {
        for (StorageException.Cause c : StorageException.Cause.values()) {
            failures.put(c, new LongAdder());
        }
    }

    /** A prepare call began (any input kind). */
    public void prepareStarted() {
        prepares.increment();
    }

    /** An http(s) URL went to ffmpeg as it is. */
    public void passedThrough() {
        passthrough.increment();
    }

    /** A lease found its member running ({@code fresh == false}) or started it. */
    public void leased(boolean fresh) {
        (fresh ? misses : hits).increment();
    }

    public void failed(StorageException.Cause cause) {
        failures.get(cause).increment();
    }

    public void interrupted() {
        interrupted.increment();
    }

    /** A warm member said "missing" and the remote was asked directly; {@code found} when it had the object. */
    public void warmMissChecked(boolean found) {
        warmMissChecks.increment();
        if (found) {
            warmMissFound.increment();
        }
    }

    /** A remote prepare succeeded after {@code nanos}; {@code fresh} when it had to start its process. */
    public void succeeded(long nanos, boolean fresh) {
        all.record(nanos);
        (fresh ? cold : warm).record(nanos);
    }

    /** The counters, then {@code extra} (the pool's gauges). */
    public Map<String, Number> snapshot(Map<String, Number> extra) {
        Map<String, Number> m = new LinkedHashMap<>();
        m.put("prepares", prepares.sum());
        m.put("pool_hits", hits.sum());
        m.put("pool_misses", misses.sum());
        m.put("passthrough", passthrough.sum());
        long failed = 0;
        for (Map.Entry<StorageException.Cause, LongAdder> e : failures.entrySet()) {
            long n = e.getValue().sum();
            failed += n;
            m.put("failures_" + e.getKey().name().toLowerCase(Locale.ROOT), n);
        }
        m.put("failures", failed);
        m.put("interrupted", interrupted.sum());
        m.put("warm_miss_checks", warmMissChecks.sum());
        m.put("warm_miss_found", warmMissFound.sum());
        all.addTo(m, "prepare");
        warm.addTo(m, "prepare_warm");
        cold.addTo(m, "prepare_cold");
        m.putAll(extra);
        return m;
    }
}
