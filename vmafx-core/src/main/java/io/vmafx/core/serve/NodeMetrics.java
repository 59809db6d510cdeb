package io.vmafx.core.serve;

import io.vmafx.core.discovery.ProviderRegistry;
import io.vmafx.core.job.InputReport;
import io.vmafx.core.job.JobObserver;
import io.vmafx.core.job.JobResult;
import io.vmafx.core.metrics.MetricRegistry;
import io.vmafx.core.node.Node;
import io.vmafx.spi.bypass.BypassProvider;
import io.vmafx.spi.storage.StorageProvider;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * What {@code GET /metrics} shows. Jobs (by outcome, durations, scorer time, node overhead) and storage prepare
 * latency are recorded as jobs run; running and queued jobs, slots, and the providers' own counters (pool sizes,
 * rclone starts, bypass offers and declines by reason, probe ring-buffer drops) are read at each scrape.
 */
public final class NodeMetrics {

    /** Seconds: from a pooled prepare (about a millisecond) to a long scoring job (ten minutes). */
    static final double[] DURATION_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};

    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    private final MetricRegistry registry = new MetricRegistry();
    private final MetricRegistry.Counter jobs;
    private final MetricRegistry.Counter rejected;
    private final MetricRegistry.Histogram jobDuration;
    private final MetricRegistry.Histogram scoring;
    private final MetricRegistry.Histogram overhead;
    private final MetricRegistry.Histogram prepare;
    private final MetricRegistry.Counter inputs;
    private final LongAdder fuseBytes = new LongAdder();

    NodeMetrics(Node node, IntSupplier running, IntSupplier queued, int slots, int queueCapacity, java.util.function.BooleanSupplier ready) {
        jobs = registry.counter("vmafx_jobs_total", "Jobs that ended, by outcome (succeeded, failed, cancelled).", "outcome")
                .touch(SUCCEEDED).touch(FAILED).touch(CANCELLED);
        rejected = registry.counter("vmafx_jobs_rejected_total",
                "Submissions refused: queue_full (429) or shutting_down (503).", "reason").touch("queue_full").touch("shutting_down");
        jobDuration = registry.histogram("vmafx_job_duration_seconds",
                "Job time from leaving the queue to its end (prepare, bypass, scoring, release), by outcome.", DURATION_BUCKETS, "outcome");
        scoring = registry.histogram("vmafx_job_scoring_duration_seconds",
                "Time the scorer (ffmpeg with libvmaf) ran, per job that reached it.", DURATION_BUCKETS);
        overhead = registry.histogram("vmafx_job_overhead_seconds",
                "Node overhead of a successful job: its duration minus the scorer's time.", DURATION_BUCKETS);
        prepare = registry.histogram("vmafx_storage_prepare_duration_seconds",
                "Latency of one input's storage prepare, by provider and outcome (ok, error, cancelled); one per prepare call.", DURATION_BUCKETS, "provider", "outcome");
        inputs = registry.counter("vmafx_job_inputs_total",
                "Inputs of successful jobs by storage provider and how ffmpeg read them (bypass or storage).", "provider", "read");
        registry.callback("vmafx_jobs_running", "gauge", "Jobs running now.", s -> s.sample(running.getAsInt()));
        registry.callback("vmafx_jobs_queued", "gauge", "Jobs waiting for a slot.", s -> s.sample(queued.getAsInt()));
        registry.callback("vmafx_job_slots", "gauge", "How many jobs may run at once (VMAFX_NODE_SLOTS).", s -> s.sample(slots));
        registry.callback("vmafx_job_queue_capacity", "gauge", "How many jobs may wait (VMAFX_NODE_QUEUE).", s -> s.sample(queueCapacity));
        registry.callback("vmafx_node_ready", "gauge", "1 while the node accepts jobs, 0 while it shuts down.",
                s -> s.sample(ready.getAsBoolean() ? 1 : 0));

        Iterable<ProviderRegistry.Found<StorageProvider>> storages = node.registry().storages();
        storageCounter("vmafx_storage_prepares_total", "counter", "Prepare calls, by provider.", storages, "prepares");
        storageCounter("vmafx_storage_prepare_failures_total", "counter", "Prepares that failed, by provider.", storages, "failures");
        storageCounter("vmafx_storage_pool_hits_total", "counter", "Prepares that found their rclone process running.", storages, "pool_hits");
        storageCounter("vmafx_storage_rclone_started_total", "counter", "rclone processes (serve or mount) started.", storages, "pool_started");
        storageCounter("vmafx_storage_pool_members", "gauge", "rclone processes (serve or mount) running in the pool.", storages, "pool_members");
        storageCounter("vmafx_storage_pool_leases", "gauge", "Leases held on pooled rclone processes (inputs being read).", storages, "pool_leases");

        BypassProvider bypass = node.bypass().orElse(null);
        registry.callback("vmafx_bypass_offers_total", "counter", "Inputs offered to the bypass.",
                s -> bypassValue(bypass, "offers", s), "provider");
        registry.callback("vmafx_bypass_used_total", "counter", "Inputs the bypass served from the VFS cache.",
                s -> bypassValue(bypass, "bypassed", s), "provider");
        registry.callback("vmafx_bypass_declined_total", "counter", "Inputs the bypass declined, by reason.", s -> {
            if (bypass != null) {
                safeCounters(bypass::counters).forEach((k, v) -> {
                    if (k.startsWith("declined_")) {
                        s.sample(v, bypass.name(), k.substring("declined_".length()));
                    }
                });
            }
        }, "provider", "reason");
        registry.callback("vmafx_input_read_bytes_total", "counter",
                "Bytes ffmpeg read through FUSE (counted by the eBPF probe per input) and through the bypass.", s -> {
                    s.sample(fuseBytes.sum(), "fuse");
                    Number b = bypass == null ? null : safeCounters(bypass::counters).get("bytes_bypassed");
                    s.sample(b == null ? 0 : b, "bypass");
                }, "path");
        registry.callback("vmafx_probe_ring_drops_total", "counter", "Events the eBPF probe's ring buffer dropped.",
                s -> bypassValue(bypass, "probe_ring_drops", s), "provider");
    }

    private void storageCounter(String name, String type, String help, Iterable<ProviderRegistry.Found<StorageProvider>> storages, String key) {
        registry.callback(name, type, help, s -> {
            for (ProviderRegistry.Found<StorageProvider> f : storages) {
                Number n = safeCounters(f.provider()::counters).get(key);
                if (n != null) {
                    s.sample(n, f.name());
                }
            }
        }, "provider");
    }

    private static void bypassValue(BypassProvider bypass, String key, MetricRegistry.Sink s) {
        if (bypass != null) {
            Number n = safeCounters(bypass::counters).get(key);
            s.sample(n == null ? 0 : n, bypass.name());
        }
    }

    /** A provider's counters; a provider that fails to report shows none rather than breaking the scrape. */
    private static Map<String, Number> safeCounters(java.util.function.Supplier<Map<String, Number>> counters) {
        try {
            Map<String, Number> m = counters.get();
            return m == null ? Map.of() : m;
        } catch (RuntimeException e) {
            System.getLogger(NodeMetrics.class.getName()).log(System.Logger.Level.WARNING, "provider counters: " + e);
            return Map.of();
        }
    }

    /** The observer for one job: prepare latency into the histogram, scorer time into {@code scorerNanos}. */
    JobObserver observer(java.util.concurrent.atomic.AtomicLong scorerNanos) {
        return new JobObserver() {
            @Override
            public void prepared(String provider, long nanos, PrepareOutcome outcome) {
                prepare.observe(nanos / 1e9, provider, outcome.label());
            }

            @Override
            public void scored(long nanos) {
                scorerNanos.addAndGet(nanos);
            }
        };
    }

    /** A job ended after running {@code runNanos}, of which the scorer took {@code scorerNanos} (0: never reached). */
    void jobEnded(String outcome, long runNanos, long scorerNanos, JobResult result) {
        jobs.inc(outcome);
        jobDuration.observe(runNanos / 1e9, outcome);
        if (scorerNanos > 0) {
            scoring.observe(scorerNanos / 1e9);
        }
        if (result != null) {
            overhead.observe(Math.max(0, runNanos - scorerNanos) / 1e9);
            for (InputReport in : new InputReport[] {result.reference(), result.distorted()}) {
                inputs.inc(in.storage(), in.bypass() ? "bypass" : "storage");
                in.fuseTraffic().ifPresent(t -> fuseBytes.add(t.bytes()));
            }
        }
    }

    /** A job that was cancelled before it left the queue. */
    void cancelledInQueue() {
        jobs.inc(CANCELLED);
    }

    void rejected(String reason) {
        rejected.inc(reason);
    }

    /** The exposition text. */
    public String write() {
        return registry.write();
    }
}
