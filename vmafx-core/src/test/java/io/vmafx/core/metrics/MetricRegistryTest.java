package io.vmafx.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MetricRegistryTest {

    @Test
    void writesCountersGaugesAndHistogramsInTheTextFormat() {
        MetricRegistry r = new MetricRegistry();
        MetricRegistry.Counter c = r.counter("jobs_total", "Jobs by outcome.\nSecond line \\ backslash.", "outcome");
        c.touch("failed");
        c.inc("ok");
        c.add(2, "ok");
        MetricRegistry.Histogram h = r.histogram("job_seconds", "Job time.", new double[] {0.1, 1, 10}, "mode");
        h.observe(0.05, "mount");
        h.observe(0.1, "mount");   // on a bound: counted in that bucket (le is "less or equal")
        h.observe(5, "mount");
        h.observe(50, "mount");
        r.callback("running", "gauge", "Running.", s -> s.sample(3));
        r.callback("pool_members", "gauge", "Members.", s -> {
            s.sample(1, "a\"b\\c\nd");
            s.sample(2.5, "plain");
        }, "provider");
        assertEquals("""
                # HELP jobs_total Jobs by outcome.\\nSecond line \\\\ backslash.
                # TYPE jobs_total counter
                jobs_total{outcome="failed"} 0
                jobs_total{outcome="ok"} 3
                # HELP job_seconds Job time.
                # TYPE job_seconds histogram
                job_seconds_bucket{mode="mount",le="0.1"} 2
                job_seconds_bucket{mode="mount",le="1"} 2
                job_seconds_bucket{mode="mount",le="10"} 3
                job_seconds_bucket{mode="mount",le="+Inf"} 4
                job_seconds_sum{mode="mount"} 55.15
                job_seconds_count{mode="mount"} 4
                # HELP running Running.
                # TYPE running gauge
                running 3
                # HELP pool_members Members.
                # TYPE pool_members gauge
                pool_members{provider="a\\"b\\\\c\\nd"} 1
                pool_members{provider="plain"} 2.5
                """, r.write());
        assertEquals(3, c.value("ok"));
        assertEquals(4, h.count("mount"));
    }

    @Test
    void refusesWhatThePrometheusFormatCannotCarry() {
        MetricRegistry r = new MetricRegistry();
        assertEquals("a counter's name ends in _total: jobs",
                assertThrows(IllegalArgumentException.class, () -> r.counter("jobs", "x")).getMessage());
        assertEquals("not a metric name: 2jobs_total",
                assertThrows(IllegalArgumentException.class, () -> r.counter("2jobs_total", "x")).getMessage());
        assertEquals("not a label name for h: le",
                assertThrows(IllegalArgumentException.class, () -> r.histogram("h", "x", new double[] {1}, "le")).getMessage());
        r.counter("a_total", "x", "l");
        assertEquals("metric registered twice: a_total",
                assertThrows(IllegalArgumentException.class, () -> r.counter("a_total", "y")).getMessage());
        MetricRegistry.Counter c = r.counter("b_total", "x", "l");
        assertThrows(IllegalArgumentException.class, () -> c.inc());
        assertThrows(IllegalArgumentException.class, () -> c.add(-1, "v"));
        assertThrows(IllegalArgumentException.class, () -> r.histogram("h2", "x", new double[] {1, 1}));
    }

    @Test
    void formatsValuesAsTheFormatSpellsThem() {
        assertEquals("+Inf", MetricRegistry.format(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", MetricRegistry.format(Double.NEGATIVE_INFINITY));
        assertEquals("NaN", MetricRegistry.format(Double.NaN));
        assertEquals("42", MetricRegistry.format(42L));
        assertEquals("42", MetricRegistry.format(42.0));
        assertEquals("0.005", MetricRegistry.format(0.005));
    }
}
