package io.vmafx.core.bench;

import io.vmafx.core.bench.Percentiles.Summary;
import io.vmafx.core.bench.TextTable.Align;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of {@link BypassBench}: three parts, (a) read latency, (b) the probe's overhead, (c) scoring a pair,
 * each measured, skipped (with the reason) or failed (with the error), then the figures against their targets;
 * as text for people and one JSON object for tools.
 */
public final class BypassReport {

    private static final String NONE = "-";
    /** Target: a read through the bypass is at least this fraction of a direct read's speed. */
    static final double TARGET_VS_DIRECT = 0.9;
    /** Target: a read through the bypass is at least this many times faster than through FUSE. */
    static final double TARGET_VS_FUSE = 20;
    /** Target: the probe slows FUSE reads by at most this many percent. */
    static final double TARGET_OVERHEAD_PERCENT = 2;

    private final BypassBench.Options options;
    private final String remote;
    private final Path data;
    private final String rclone;
    private final String bypassStatus;
    private final Map<String, Object> bypassCounters;
    private final Reads reads;
    private final Probe probe;
    private final Scoring scoring;
    private final ScratchRemote.Cleanup cleanup;

    BypassReport(Builder b, ScratchRemote.Cleanup cleanup) {
        this.options = b.options;
        this.remote = b.remote;
        this.data = b.data;
        this.rclone = b.rclone;
        this.bypassStatus = b.bypassStatus;
        this.bypassCounters = b.bypassCounters;
        this.reads = b.reads;
        this.probe = b.probe;
        this.scoring = b.scoring;
        this.cleanup = cleanup;
    }

    /** Whether a part that could run failed, or something was left behind. Skipped parts are not failures. */
    public boolean failed() {
        return reads.failed != null || probe.failed != null || scoring.failed != null || (cleanup != null && !cleanup.clean());
    }

    public ScratchRemote.Cleanup cleanup() {
        return cleanup;
    }

    /** Where a part stands: measured, skipped (why), failed (why). */
    abstract static class Part {
        String skipped;
        String failed;

        void skip(String reason) {
            this.skipped = oneLine(reason);
        }

        void fail(String message) {
            this.failed = oneLine(message);
        }

        /** The line a skipped or failed part shows instead of (or after) its table; null when it ran. */
        String status(String part) {
            if (skipped != null) {
                return part + " skipped: " + skipped;
            }
            return failed == null ? null : part + " FAILED: " + failed;
        }

        void status(Map<String, Object> m) {
            m.put("measured", skipped == null && failed == null);
            if (skipped != null) {
                m.put("skipped", skipped);
            }
            if (failed != null) {
                m.put("failed", failed);
            }
        }
    }

    /**
     * One measured path: its times, the file it read (null when it is not one file) and a note.
     */
    record Row(String name, Summary ms, String path, String note) {
        /** The table's note column: the path, and the note in brackets. */
        String what() {
            if (path == null) {
                return note == null ? "" : note;
            }
            return note == null || note.isEmpty() ? path : path + " (" + note + ")";
        }
    }

    /** (a): whole-file reads of the asset, warm, through FUSE, the bypass and directly. */
    static final class Reads extends Part {
        Row fuse;
        /** Reads of the path one decision gave, offered once before the runs. */
        Row bypass;
        /** A new decision for each read: offer, read, close, timed together. */
        Row bypassEach;
        /** The offers alone (of the new-decision runs). */
        Summary offer;
        Row direct;
        /** Why the bypass rows are missing while FUSE and direct ran. */
        String bypassSkipped;
        /** How long after the warming read the bypass first accepted the asset. */
        double acceptedAfterMs = Double.NaN;

        Map<String, Object> toJson(int mib) {
            Map<String, Object> m = new LinkedHashMap<>();
            status(m);
            if (bypassSkipped != null) {
                m.put("bypass_skipped", bypassSkipped);
            }
            if (!Double.isNaN(acceptedAfterMs)) {
                m.put("bypass_accepted_after_ms", Percentiles.round3(acceptedAfterMs));
            }
            for (Row r : new Row[] {fuse, bypass, bypassEach, direct}) {
                if (r != null) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("read_ms", r.ms().toJson());
                    row.put("mib_per_s_p50", Percentiles.round3(BenchIo.mibPerS(r.ms().p50(), mib)));
                    if (r.path() != null) {
                        row.put("path", r.path());
                    }
                    if (r.note() != null && !r.note().isEmpty()) {
                        row.put("note", r.note());
                    }
                    m.put(r.name(), row);
                }
            }
            if (offer != null) {
                m.put("offer_ms", offer.toJson());
            }
            return m;
        }
    }

    /** (b): FUSE reads with the probe attached and detached, interleaved. */
    static final class Probe extends Part {
        Summary detached;
        Summary attached;
        Overhead overhead;
        /** The probe's CPU time as the kernel counted it, when it could be counted. */
        ProbeCpu cpu;
        /** Why the probe's CPU time was not counted. */
        String cpuSkipped;
        /** What the probe counted per attached run: the smallest and largest byte count, and the read calls. */
        long countedMin = -1;
        long countedMax = -1;
        long readsPerRun = -1;
        String path;

        Map<String, Object> toJson(long size) {
            Map<String, Object> m = new LinkedHashMap<>();
            status(m);
            if (detached != null) {
                m.put("detached_ms", detached.toJson());
            }
            if (attached != null) {
                m.put("attached_ms", attached.toJson());
            }
            if (overhead != null) {
                m.put("overhead_percent_p50", Percentiles.round3(overhead.p50Percent()));
                m.put("overhead_percent_p99", Percentiles.round3(overhead.p99Percent()));
                m.put("overhead_percent_paired_median", Percentiles.round3(overhead.pairedMedianPercent()));
                m.put("overhead_percent_paired_q1", Percentiles.round3(overhead.pairedQ1Percent()));
                m.put("overhead_percent_paired_q3", Percentiles.round3(overhead.pairedQ3Percent()));
                m.put("overhead_percent_ci_low", Percentiles.round3(overhead.ciLowPercent()));
                m.put("overhead_percent_ci_high", Percentiles.round3(overhead.ciHighPercent()));
                m.put("overhead_ci_coverage", Percentiles.round3(overhead.ciCoverage()));
            }
            if (cpu != null) {
                m.put("probe_cpu_percent_median", Percentiles.round3(cpu.medianPercent()));
                m.put("probe_cpu_percent_ci_low", Percentiles.round3(cpu.ciLowPercent()));
                m.put("probe_cpu_percent_ci_high", Percentiles.round3(cpu.ciHighPercent()));
                m.put("probe_cpu_ci_coverage", Percentiles.round3(cpu.ciCoverage()));
                m.put("probe_cpu_us_per_run", Percentiles.round3(cpu.medianMicros()));
                m.put("probe_program_runs_per_run", Percentiles.round3(cpu.programRuns()));
                m.put("probe_ns_per_program_run", Percentiles.round3(cpu.nanosPerRun()));
            } else if (cpuSkipped != null) {
                m.put("probe_cpu_skipped", cpuSkipped);
            }
            if (countedMin >= 0) {
                m.put("probe_counted_bytes_min", countedMin);
                m.put("probe_counted_bytes_max", countedMax);
                m.put("probe_counted_reads_per_run", readsPerRun);
                m.put("asset_bytes", size);
            }
            if (path != null) {
                m.put("path", path);
            }
            return m;
        }
    }

    /** (c): one mode of scoring the pair. */
    static final class ScoreMode {
        final String name;
        String skipped;
        Summary total;
        Summary prepare;
        Summary score;
        double vmafMean = Double.NaN;
        /** Inputs the bypass served, of all inputs of the timed runs. */
        int bypassed;
        int inputs;
        /** FUSE bytes the probe saw per timed run (both inputs), when it watched. */
        List<Long> fuseBytes = new ArrayList<>();
        String lastDecline;

        ScoreMode(String name) {
            this.name = name;
        }

        String note() {
            if (name.equals(BypassBench.LOCAL)) {
                return "local paths";
            }
            if (bypassed == 0 && lastDecline != null) {
                return "all " + inputs + " inputs through FUSE: " + lastDecline;
            }
            StringBuilder b = new StringBuilder("bypass: ").append(bypassed).append('/').append(inputs).append(" inputs");
            if (bypassed < inputs && lastDecline != null) {
                b.append(" (declined: ").append(lastDecline).append(')');
            }
            if (!fuseBytes.isEmpty()) {
                b.append("; FUSE bytes per job seen by the probe: ").append(fuseBytes.stream().mapToLong(Long::longValue).max().orElse(0))
                        .append(" at most");
            }
            return b.toString();
        }

        Map<String, Object> toJson(Summary local) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mode", name);
            if (skipped != null) {
                m.put("skipped", skipped);
                return m;
            }
            if (total == null) {
                return m;
            }
            m.put("total_ms", total.toJson());
            m.put("prepare_ms", prepare.toJson());
            m.put("score_ms", score.toJson());
            if (local != null) {
                m.put("total_p50_vs_local", Percentiles.round3(total.p50() / local.p50()));
            }
            m.put("vmaf_mean", vmafMean);
            m.put("bypassed_inputs", bypassed);
            m.put("inputs", inputs);
            if (!fuseBytes.isEmpty()) {
                m.put("fuse_bytes_per_job", fuseBytes);
            }
            return m;
        }
    }

    /** (c): scoring the pair in each mode. */
    static final class Scoring extends Part {
        final List<ScoreMode> modes = new ArrayList<>();
        long clipBytes;

        ScoreMode mode(String name) {
            ScoreMode m = new ScoreMode(name);
            modes.add(m);
            return m;
        }

        Summary local() {
            return modes.stream().filter(m -> m.name.equals(BypassBench.LOCAL) && m.total != null).map(m -> m.total).findFirst().orElse(null);
        }
    }

    /** The figures against their targets; those not measured show {@code -}. */
    List<Target> targets() {
        double nan = Double.NaN;
        Row b = reads.bypass;
        Row e = reads.bypassEach;
        Row f = reads.fuse;
        Row d = reads.direct;
        List<Target> t = new ArrayList<>();
        t.add(Target.atLeast("bypass read speed vs direct (direct time / bypass time)",
                b == null || d == null ? nan : Target.speedup(b.ms().p50(), d.ms().p50()),
                b == null || d == null ? nan : Target.speedup(b.ms().p99(), d.ms().p99()), TARGET_VS_DIRECT));
        t.add(Target.atLeast("bypass vs FUSE (FUSE time / bypass time)",
                b == null || f == null ? nan : Target.speedup(b.ms().p50(), f.ms().p50()),
                b == null || f == null ? nan : Target.speedup(b.ms().p99(), f.ms().p99()), TARGET_VS_FUSE));
        t.add(Target.info("the same with a new decision per read (offer + read)",
                e == null || f == null ? nan : Target.speedup(e.ms().p50(), f.ms().p50()),
                e == null || f == null ? nan : Target.speedup(e.ms().p99(), f.ms().p99()), TARGET_VS_FUSE));
        Overhead o = probe.overhead;
        t.add(Target.percentAtMost("probe overhead on FUSE reads (attached / detached time - 1, median per round)",
                o == null ? nan : o.pairedMedianPercent(), o == null ? nan : o.p99Percent(), TARGET_OVERHEAD_PERCENT,
                o == null ? nan : o.ciLowPercent(), o == null ? nan : o.ciHighPercent(), o == null ? nan : o.ciCoverage()));
        ProbeCpu c = probe.cpu;
        t.add(Target.percentAtMost("probe CPU time on FUSE reads (the kernel's count of its programs' time / read time)",
                c == null ? nan : c.medianPercent(), nan, TARGET_OVERHEAD_PERCENT,
                c == null ? nan : c.ciLowPercent(), c == null ? nan : c.ciHighPercent(), c == null ? nan : c.ciCoverage()));
        return t;
    }

    /** The header, the three parts, the targets and the cleanup line. */
    public String text() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "bypass bench: a %d MiB random asset on local disk, rclone alias remote %s: -> %s (%s),%n"
                        + "mounted with --vfs-cache-mode full; bypass %s%n",
                options.sizeMib(), remote, data, rclone, bypassStatus));
        b.append(String.format(Locale.ROOT, "times in ms, p50/p99 nearest-rank (with fewer than 100 runs p99 is the slowest); "
                + "reads are whole-file, sequential, %d KiB buffer%n", BenchIo.BUFFER / 1024));

        b.append(String.format(Locale.ROOT, "%n(a) read latency, warm cache: %d interleaved runs per path after one untimed run that checks the content%n",
                options.runs()));
        if (reads.skipped == null) {
            if (reads.bypass != null || reads.bypassEach != null) {
                b.append("    bypass: the path one decision gave, offered once before the runs and held through them; \"new decision"
                        + " each\" offers, reads and closes per run (the job's cost)\n");
            }
            if (!Double.isNaN(reads.acceptedAfterMs)) {
                b.append(String.format(Locale.ROOT, "    the bypass accepted the asset %.0f ms after the warming read through the mount%n",
                        reads.acceptedAfterMs));
            }
            b.append('\n').append(readTable());
        }
        appendStatus(b, reads.status("(a)"));
        if (reads.bypassSkipped != null && reads.skipped == null) {
            b.append("(a) bypass rows skipped: ").append(reads.bypassSkipped).append('\n');
        }

        b.append(String.format(Locale.ROOT, "%n(b) probe overhead on FUSE reads: %d runs each, detached (no probe) and attached (the ebpf provider"
                + " started, its traffic watch counting the read),%n    interleaved in alternating order; every run discovers a fresh"
                + " provider (started in attached runs only) and closes it after; each timed read follows a %d s pause and an%n"
                + "    untimed read in the same state%n", options.overheadRuns(), BypassBench.SETTLE_MILLIS / 1000));
        if (probe.skipped == null && probe.detached != null) {
            b.append('\n').append(probeTable());
        }
        appendStatus(b, probe.status("(b)"));

        double clipMib = scoring.clipBytes / (double) (1 << 20);
        b.append(String.format(Locale.ROOT, "%n(c) scoring a %s %d s y4m pair (2 x %s MiB) through the node's JobExecutor, warm: %d timed runs"
                        + " per mode after an untimed one, interleaved%n",
                options.clip(), options.clipSeconds(), String.format(Locale.ROOT, clipMib < 10 ? "%.1f" : "%.0f", clipMib),
                options.scoreRuns()));
        if (scoring.skipped == null && !scoring.modes.isEmpty()) {
            b.append("    score ms covers everything after prepare: the bypass's offers (each asks rclone for the remote object's"
                    + " fingerprint), ffmpeg, the reports\n");
            b.append('\n').append(scoreTable());
        }
        appendStatus(b, scoring.status("(c)"));

        if (bypassCounters != null) {
            b.append(String.format(Locale.ROOT, "%nthe bypass node's provider in all: %s offers, %s bypassed, %s declined; %s links live at the end%n",
                    bypassCounters.getOrDefault("offers", "?"), bypassCounters.getOrDefault("bypassed", "?"),
                    bypassCounters.getOrDefault("declined", "?"), bypassCounters.getOrDefault("links_live", "?")));
        }
        b.append("\ntargets: the ratios judged on the p50s; the probe's overhead on the confidence interval of its per-round median"
                + " (yes or NO only when the whole interval is on one side of the target)\n\n").append(targetTable());
        if (cleanup != null) {
            b.append('\n').append(cleanup.describe()).append('\n');
        }
        return b.toString();
    }

    private static void appendStatus(StringBuilder b, String status) {
        if (status != null) {
            b.append(status).append('\n');
        }
    }

    String readTable() {
        TextTable t = new TextTable(List.of("path", "runs", "p50 ms", "p99 ms", "MiB/s at p50", "p50 vs direct", "p99 vs direct", "note"),
                List.of(Align.LEFT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.LEFT));
        Summary direct = reads.direct == null ? null : reads.direct.ms();
        for (Row r : new Row[] {reads.fuse, reads.bypass, reads.bypassEach, reads.direct}) {
            if (r == null) {
                continue;
            }
            t.row(label(r.name()), n(r.ms()), ms(r.ms().p50()), ms(r.ms().p99()),
                    String.format(Locale.ROOT, "%.0f", BenchIo.mibPerS(r.ms().p50(), options.sizeMib())),
                    direct == null ? NONE : BenchIo.ratio(r.ms().p50(), direct.p50()),
                    direct == null ? NONE : BenchIo.ratio(r.ms().p99(), direct.p99()), r.what());
        }
        if (reads.offer != null) {
            t.row("offer alone", n(reads.offer), ms(reads.offer.p50()), ms(reads.offer.p99()), NONE, NONE, NONE,
                    "the decision in the new-decision runs: metadata, the serving rclone's operations/stat of the remote object, link, checks");
        }
        return t.render();
    }

    private static String label(String name) {
        switch (name) {
            case "fuse": return "FUSE (mount)";
            case "bypass": return "bypass";
            case "bypass_each": return "bypass, new decision each";
            default: return name;
        }
    }

    String probeTable() {
        TextTable t = new TextTable(List.of("probe", "runs", "p50 ms", "p99 ms", "MiB/s at p50", "note"),
                List.of(Align.LEFT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.LEFT));
        t.row("detached", n(probe.detached), ms(probe.detached.p50()), ms(probe.detached.p99()), rate(probe.detached),
                probe.path == null ? "" : probe.path);
        if (probe.attached != null) {
            String counted = probe.countedMin < 0 ? "" : probe.countedMin == probe.countedMax
                    ? String.format(Locale.ROOT, "the probe counted %d bytes in %d reads per run", probe.countedMin, probe.readsPerRun)
                    : String.format(Locale.ROOT, "the probe counted %d to %d bytes per run", probe.countedMin, probe.countedMax);
            t.row("attached", n(probe.attached), ms(probe.attached.p50()), ms(probe.attached.p99()), rate(probe.attached), counted);
        }
        StringBuilder b = new StringBuilder(t.render());
        if (probe.overhead != null) {
            Overhead o = probe.overhead;
            b.append(String.format(Locale.ROOT, "overhead: %+.1f%% at p50, %+.1f%% at p99; per round (attached / detached - 1):"
                            + " median %+.1f%%, interquartile range %+.1f%% to %+.1f%%, %.0f%% confidence interval of the median"
                            + " %+.1f%% to %+.1f%%%n",
                    o.p50Percent(), o.p99Percent(), o.pairedMedianPercent(), o.pairedQ1Percent(), o.pairedQ3Percent(),
                    o.ciCoverage() * 100, o.ciLowPercent(), o.ciHighPercent()));
        }
        if (probe.cpu != null) {
            ProbeCpu c = probe.cpu;
            b.append(String.format(Locale.ROOT, "probe CPU time (kernel.bpf_stats_enabled, its programs' run_time_ns): %.0f us per attached run"
                            + " = %.2f%% of the read's time (%.0f%% confidence interval %.2f%% to %.2f%%), %.0f program runs (every"
                            + " system call its tracepoints see, on any CPU), %.0f ns each%n",
                    c.medianMicros(), c.medianPercent(), c.ciCoverage() * 100, c.ciLowPercent(), c.ciHighPercent(), c.programRuns(),
                    c.nanosPerRun()));
        } else if (probe.cpuSkipped != null) {
            b.append("probe CPU time not counted: ").append(probe.cpuSkipped).append('\n');
        }
        return b.toString();
    }

    String scoreTable() {
        TextTable t = new TextTable(List.of("mode", "runs", "total p50 ms", "total max ms", "prepare p50", "score p50", "p50 vs local",
                "VMAF mean", "note"),
                List.of(Align.LEFT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.LEFT));
        Summary local = scoring.local();
        for (ScoreMode m : scoring.modes) {
            if (m.skipped != null) {
                t.row(m.name, NONE, NONE, NONE, NONE, NONE, NONE, NONE, "skipped: " + m.skipped);
            } else if (m.total != null) {
                t.row(m.name, n(m.total), ms0(m.total.p50()), ms0(m.total.max()), ms0(m.prepare.p50()), ms0(m.score.p50()),
                        local == null ? NONE : BenchIo.ratio(m.total.p50(), local.p50()),
                        String.format(Locale.ROOT, "%.3f", m.vmafMean), m.note());
            }
        }
        return t.render();
    }

    String targetTable() {
        TextTable t = new TextTable(List.of("figure", "p50", "p99", "confidence interval", "target", "met"),
                List.of(Align.LEFT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.LEFT, Align.LEFT));
        for (Target x : targets()) {
            t.row(x.name(), x.format(x.p50()), x.format(x.p99()), x.intervalText(), x.targetText(), x.verdict());
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
        m.put("bypass", bypassStatus);
        if (bypassCounters != null) {
            m.put("bypass_counters", bypassCounters);
        }
        m.put("runs", options.runs());
        m.put("overhead_runs", options.overheadRuns());
        m.put("score_runs", options.scoreRuns());
        m.put("read_buffer_bytes", BenchIo.BUFFER);
        m.put("percentiles", "nearest-rank");
        m.put("read", reads.toJson(options.sizeMib()));
        m.put("probe_overhead", probe.toJson(options.bytes()));
        Map<String, Object> s = new LinkedHashMap<>();
        scoring.status(s);
        Map<String, Object> clip = new LinkedHashMap<>();
        clip.put("size", options.clip().toString());
        clip.put("seconds", options.clipSeconds());
        clip.put("bytes", scoring.clipBytes);
        s.put("clip", clip);
        List<Map<String, Object>> modes = new ArrayList<>();
        Summary local = scoring.local();
        for (ScoreMode mode : scoring.modes) {
            modes.add(mode.toJson(mode.name.equals(BypassBench.LOCAL) ? null : local));
        }
        s.put("modes", modes);
        m.put("score", s);
        m.put("targets", targets().stream().map(Target::toJson).toList());
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

    private static String ms0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private String rate(Summary s) {
        return String.format(Locale.ROOT, "%.0f", BenchIo.mibPerS(s.p50(), options.sizeMib()));
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    /** Collects the parts as the bench goes. */
    static final class Builder {
        final BypassBench.Options options;
        final String remote;
        final Path data;
        String rclone = "rclone";
        String bypassStatus = "not started";
        /** The bypass node's provider counters at the end (offers, bypassed, declines by reason, links live). */
        Map<String, Object> bypassCounters;
        final Reads reads = new Reads();
        final Probe probe = new Probe();
        final Scoring scoring = new Scoring();

        Builder(BypassBench.Options options, String remote, Path data) {
            this.options = options;
            this.remote = remote;
            this.data = data;
        }

        BypassReport build(ScratchRemote.Cleanup cleanup) {
            return new BypassReport(this, cleanup);
        }
    }
}
