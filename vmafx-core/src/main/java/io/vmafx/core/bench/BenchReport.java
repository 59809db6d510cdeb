package io.vmafx.core.bench;

import io.vmafx.core.bench.Percentiles.Summary;
import io.vmafx.core.bench.TextTable.Align;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The result of {@link StorageBench}: one table for people, one JSON object for tools. */
public final class BenchReport {

    private static final String NONE = "-";

    private final StorageBench.Options options;
    private final String remote;
    private final Path data;
    private final String rclone;
    private final Summary direct;
    private final String directWhat;
    private final List<Mode> modes;
    private final ScratchRemote.Cleanup cleanup;

    private BenchReport(Builder b, ScratchRemote.Cleanup cleanup) {
        this.options = b.options;
        this.remote = b.remote;
        this.data = b.data;
        this.rclone = b.rclone;
        this.direct = b.direct;
        this.directWhat = b.directWhat;
        this.modes = List.copyOf(b.modes);
        this.cleanup = cleanup;
    }

    /** Whether a usable mode failed, or something was left behind. */
    public boolean failed() {
        return modes.stream().anyMatch(m -> m.failure != null) || (cleanup != null && !cleanup.clean());
    }

    public ScratchRemote.Cleanup cleanup() {
        return cleanup;
    }

    /** The header lines, the table, and the cleanup line. */
    public String text() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "storage bench: a %d MiB random asset on local disk, read through rclone alias remote %s: -> %s (%s)%n",
                options.sizeMib(), remote, data, rclone));
        b.append(String.format(Locale.ROOT, "prepare: %d cold runs (a new node each: rclone started and stopped each time) and %d pooled runs "
                + "(one node, one running rclone) per mode, after an untimed warm-up%n", options.runs(), options.runs()));
        b.append(String.format(Locale.ROOT, "read: the whole asset, sequential, %d KiB buffer, %d timed runs per path after one untimed run "
                + "that checks the content; times in ms, p50/p99 nearest-rank%n", StorageBench.BUFFER / 1024, options.readRuns()));
        b.append('\n');
        b.append(table());
        if (cleanup != null) {
            b.append('\n').append(cleanup.describe()).append('\n');
        }
        return b.toString();
    }

    String table() {
        TextTable t = new TextTable(
                List.of("mode", "measurement", "runs", "p50 ms", "p99 ms", "MiB/s at p50", "p50 vs direct", "p99 vs direct", "note"),
                List.of(Align.LEFT, Align.LEFT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.LEFT));
        for (Mode m : modes) {
            if (m.skipped != null) {
                t.row(m.name, "skipped", NONE, NONE, NONE, NONE, NONE, NONE, m.skipped);
                continue;
            }
            if (m.cold != null) {
                t.row(m.name, "prepare, cold", n(m.cold), ms(m.cold.p50()), ms(m.cold.p99()), NONE, NONE, NONE,
                        "rclone started " + m.coldStarts + " times");
            }
            if (m.pooled != null) {
                t.row(m.name, "prepare, pooled", n(m.pooled), ms(m.pooled.p50()), ms(m.pooled.p99()), NONE, NONE, NONE,
                        m.pooledHits + "/" + m.pooled.count() + " pool hits, " + m.pooledStarts + " rclone starts");
            }
            if (m.read != null) {
                t.row(m.name, "read " + options.sizeMib() + " MiB", n(m.read), ms(m.read.p50()), ms(m.read.p99()), rate(m.read),
                        ratio(m.read.p50(), direct == null ? 0 : direct.p50()), ratio(m.read.p99(), direct == null ? 0 : direct.p99()), m.readWhat);
            }
            if (m.failure != null) {
                t.row(m.name, "failed", NONE, NONE, NONE, NONE, NONE, NONE, m.failure);
            }
        }
        if (direct != null) {
            t.row("direct", "read " + options.sizeMib() + " MiB", n(direct), ms(direct.p50()), ms(direct.p99()), rate(direct),
                    "1.00x", "1.00x", directWhat);
        }
        return t.render();
    }

    /** The whole report as one JSON-ready map. */
    public Map<String, Object> toJson() {
        Map<String, Object> asset = new LinkedHashMap<>();
        asset.put("size_bytes", options.bytes());
        asset.put("size_mib", options.sizeMib());
        asset.put("remote", remote);
        asset.put("directory", data.toString());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("asset", asset);
        m.put("rclone", rclone);
        m.put("runs", options.runs());
        m.put("read_runs", options.readRuns());
        m.put("read_buffer_bytes", StorageBench.BUFFER);
        m.put("percentiles", "nearest-rank");
        List<Map<String, Object>> list = new ArrayList<>();
        for (Mode mode : modes) {
            list.add(mode.toJson(direct, options.sizeMib()));
        }
        m.put("modes", list);
        if (direct != null) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("read_ms", direct.toJson());
            d.put("read_mib_per_s_p50", Percentiles.round3(mibPerS(direct, options.sizeMib())));
            d.put("path", directWhat);
            m.put("direct", d);
        }
        if (cleanup != null) {
            m.put("cleanup", cleanup.toJson());
        }
        m.put("ok", !failed());
        return m;
    }

    private static String n(Summary s) {
        return Integer.toString(s.count());
    }

    private static String ms(double v) {
        return BenchIo.format(v);
    }

    private String rate(Summary s) {
        return String.format(Locale.ROOT, "%.0f", mibPerS(s, options.sizeMib()));
    }

    private static double mibPerS(Summary s, int mib) {
        return BenchIo.mibPerS(s.p50(), mib);
    }

    /** {@code value / reference} as {@code 2.41x}; {@code -} without a reference. */
    static String ratio(double value, double reference) {
        return BenchIo.ratio(value, reference);
    }

    /** Results of one rclone mode. */
    static final class Mode {
        final String name;
        String skipped;
        String failure;
        Summary cold;
        long coldStarts;
        Summary pooled;
        long pooledHits;
        long pooledStarts;
        Summary read;
        String readWhat;
        Map<String, Object> counters;

        Mode(String name) {
            this.name = name;
        }

        void skipped(String reason) {
            this.skipped = reason;
        }

        void failed(String message) {
            this.failure = message.replace('\n', ' ');
        }

        String failure() {
            return failure;
        }

        void cold(Summary s, long starts) {
            this.cold = s;
            this.coldStarts = starts;
        }

        void pooled(Summary s, long hits, long starts) {
            this.pooled = s;
            this.pooledHits = hits;
            this.pooledStarts = starts;
        }

        void read(Summary s, String what) {
            this.read = s;
            this.readWhat = what;
        }

        void counters(Map<String, Number> c) {
            this.counters = BenchIo.copy(c);
        }

        Map<String, Object> toJson(Summary direct, int mib) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mode", name);
            m.put("usable", skipped == null);
            if (skipped != null) {
                m.put("skipped", skipped);
                return m;
            }
            if (failure != null) {
                m.put("failed", failure);
            }
            if (cold != null) {
                m.put("prepare_cold_ms", cold.toJson());
                m.put("prepare_cold_rclone_starts", coldStarts);
            }
            if (pooled != null) {
                m.put("prepare_pooled_ms", pooled.toJson());
                m.put("prepare_pooled_pool_hits", pooledHits);
                m.put("prepare_pooled_rclone_starts", pooledStarts);
            }
            if (read != null) {
                m.put("read_ms", read.toJson());
                m.put("read_mib_per_s_p50", Percentiles.round3(mibPerS(read, mib)));
                if (direct != null) {
                    m.put("read_p50_vs_direct", Percentiles.round3(read.p50() / direct.p50()));
                    m.put("read_p99_vs_direct", Percentiles.round3(read.p99() / direct.p99()));
                }
                m.put("read", readWhat);
            }
            if (counters != null) {
                m.put("counters", counters);
            }
            return m;
        }
    }

    /** Collects results as the bench goes. */
    static final class Builder {
        final StorageBench.Options options;
        final String remote;
        final Path data;
        String rclone = "rclone";
        Summary direct;
        String directWhat;
        final List<Mode> modes = new ArrayList<>();

        Builder(StorageBench.Options options, String remote, Path data) {
            this.options = options;
            this.remote = remote;
            this.data = data;
        }

        void rclone(String version) {
            this.rclone = version;
        }

        void direct(Summary s, String what) {
            this.direct = s;
            this.directWhat = what;
        }

        void mode(Mode m) {
            modes.add(m);
        }

        BenchReport build(ScratchRemote.Cleanup cleanup) {
            return new BenchReport(this, cleanup);
        }
    }
}
