package io.vmafx.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.core.bench.Percentiles.Summary;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BypassReportTest {

    private static final BypassBench.Options OPTIONS = new BypassBench.Options(100, 20, 10, 3, new Clips.Size(1280, 720), 5);
    private static final ScratchRemote.Cleanup CLEAN = new ScratchRemote.Cleanup(Path.of("/tmp/vmafx-bench-1"), false,
            List.of(), List.of(), List.of());

    private static BypassReport.Builder builder() {
        BypassReport.Builder b = new BypassReport.Builder(OPTIONS, "vmafx-bench-abcdef", Path.of("/tmp/vmafx-bench-1/data"));
        b.rclone = "rclone v1.60.1";
        b.bypassStatus = "on (provider ebpf)";
        return b;
    }

    private static Summary ms(double... v) {
        return Summary.of(v);
    }

    private static BypassReport.Row row(String name, double... v) {
        return new BypassReport.Row(name, ms(v), "/p/" + name, null);
    }

    @Test
    void targetsAreComputedFromTheP50sAndP99sOfTheParts() {
        BypassReport.Builder b = builder();
        b.reads.fuse = row("fuse", 150, 160, 200);
        b.reads.bypass = row("bypass", 10, 11, 12);
        b.reads.bypassEach = row("bypass_each", 250, 260, 400);
        b.reads.direct = row("direct", 10, 10, 11);
        List<Double> d = java.util.Collections.nCopies(10, 100.0);
        List<Double> a = List.of(100.5, 101.0, 101.0, 101.0, 101.0, 101.0, 101.0, 101.0, 101.0, 101.5);
        b.probe.detached = Percentiles.Summary.of(d);
        b.probe.attached = Percentiles.Summary.of(a);
        b.probe.overhead = Overhead.of(d, a);
        // The probe's programs ran 0.5 ms to 1.5 ms per 101 ms read: the whole range (99 % with 8 runs) is under 2 %.
        b.probe.cpu = ProbeCpu.of(List.of(500_000L, 1_000_000L, 1_000_000L, 1_000_000L, 1_000_000L, 1_000_000L, 1_000_000L, 1_500_000L),
                java.util.Collections.nCopies(8, 5000L), java.util.Collections.nCopies(8, 101.0));
        List<Target> t = b.build(CLEAN).targets();
        assertEquals(5, t.size());
        assertEquals(10.0 / 11, t.get(0).p50(), 1e-12, "direct p50 / bypass p50");
        assertEquals(11.0 / 12, t.get(0).p99(), 1e-12);
        assertTrue(t.get(0).met());
        assertEquals(160.0 / 11, t.get(1).p50(), 1e-12, "FUSE p50 / bypass p50");
        assertFalse(t.get(1).met(), "14.5x is short of 20x");
        assertEquals(160.0 / 260, t.get(2).p50(), 1e-12, "with a new decision per read");
        assertEquals("(info)", t.get(2).verdict());
        assertEquals(1.0, t.get(3).p50(), 1e-9, "the per-round median");
        assertTrue(t.get(3).met(), "ten rounds, +0.5 % to +1.5 %: the interval is +1 % .. +1 %");
        assertEquals(100.0 / 101, t.get(4).p50(), 1e-9, "1 ms of probe CPU time in a 101 ms read");
        assertEquals("yes", t.get(4).verdict());

        String text = b.build(CLEAN).text();
        assertTrue(Pattern.compile("\\Qbypass vs FUSE (FUSE time / bypass time)\\E +14\\.55x +16\\.67x +- +>= 20\\.00x +NO\n").matcher(text).find(), text);
        assertTrue(Pattern.compile("\\Qprobe overhead on FUSE reads\\E.* \\+1\\.0% +\\+1\\.5% +\\+1\\.0%\\.\\.\\+1\\.0% \\(98%\\) +<= \\+2\\.0% +yes\n")
                .matcher(text).find(), text);
        assertTrue(text.contains("FUSE (mount)                  3  160.00  200.00"), text);
        assertTrue(text.contains("overhead: +1.0% at p50, +1.5% at p99; per round (attached / detached - 1): median +1.0%"), text);
        assertTrue(text.contains("probe CPU time (kernel.bpf_stats_enabled, its programs' run_time_ns): 1000 us per attached run = 0.99% of"
                + " the read's time (99% confidence interval 0.50% to 1.49%), 5000 program runs"), text);
        assertTrue(text.endsWith("cleanup: no child process left, no mount left, /tmp/vmafx-bench-1 removed\n"), text);
        for (String line : text.split("\n")) {
            assertEquals(line.stripTrailing(), line);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> fuse = (Map<String, Object>) ((Map<String, Object>) b.build(CLEAN).toJson().get("read")).get("fuse");
        assertEquals("/p/fuse", fuse.get("path"));
        assertFalse(fuse.containsKey("note"));
        assertEquals("/p/x (a note)", new BypassReport.Row("x", ms(1), "/p/x", "a note").what());
        assertEquals("a note", new BypassReport.Row("x", ms(1), null, "a note").what());
    }

    @Test
    void aSkippedPartSaysWhyItsFiguresAreDashesAndItIsNoFailure() {
        BypassReport.Builder b = builder();
        String why = "the mount storage is not usable here: /dev/fuse is missing";
        b.reads.skip(why);
        b.probe.skip(why);
        b.scoring.skip(why);
        BypassReport r = b.build(CLEAN);
        assertFalse(r.failed());
        String text = r.text();
        assertTrue(text.contains("(a) skipped: " + why + "\n"), text);
        assertTrue(text.contains("(b) skipped: " + why + "\n"), text);
        assertTrue(text.contains("(c) skipped: " + why + "\n"), text);
        assertFalse(text.contains("path  "), "no table for a skipped part");
        for (Target t : r.targets()) {
            assertEquals("-", t.binding() ? t.verdict() : "-", t.name());
        }
        Map<String, Object> json = r.toJson();
        @SuppressWarnings("unchecked")
        Map<String, Object> read = (Map<String, Object>) json.get("read");
        assertEquals(false, read.get("measured"));
        assertEquals(why, read.get("skipped"));
        assertEquals(true, json.get("ok"));
    }

    @Test
    void bypassRowsSkippedWhileFuseAndDirectRan() {
        BypassReport.Builder b = builder();
        b.bypassStatus = "not usable here: missing capabilities CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)";
        b.reads.fuse = row("fuse", 150);
        b.reads.direct = row("direct", 10);
        b.reads.bypassSkipped = "the ebpf bypass is not usable here: missing capabilities CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)";
        b.probe.skip(b.reads.bypassSkipped);
        String text = b.build(CLEAN).text();
        assertTrue(text.contains("(a) bypass rows skipped: the ebpf bypass is not usable here: missing capabilities"), text);
        assertTrue(text.contains("FUSE (mount)     1  150.00  150.00           667         15.00x         15.00x  /p/fuse"), text);
        assertFalse(b.build(CLEAN).failed());
    }

    @Test
    void aFailedPartOrSomethingLeftBehindFailsTheBench() {
        BypassReport.Builder b = builder();
        b.scoring.fail("mount: reference r:clip.y4m: object not found\nsecond line");
        BypassReport r = b.build(CLEAN);
        assertTrue(r.failed());
        assertTrue(r.text().contains("(c) FAILED: mount: reference r:clip.y4m: object not found second line\n"), r.text());
        assertEquals(false, r.toJson().get("ok"));

        ScratchRemote.Cleanup dirty = new ScratchRemote.Cleanup(Path.of("/tmp/x"), false, List.of(), List.of(),
                List.of("the bypass's link directory /tmp/x/cache/bypass/.vmafx-bypass/1/2 is still there"));
        assertTrue(builder().build(dirty).failed());
    }

    @Test
    void scoringRowsCompareWithLocalAndJsonCarriesEveryMode() {
        BypassReport.Builder b = builder();
        b.scoring.clipBytes = 172_800_850;
        BypassReport.ScoreMode local = b.scoring.mode(BypassBench.LOCAL);
        local.total = ms(10000, 10400, 10200);
        local.prepare = ms(0, 0, 0);
        local.score = local.total;
        local.vmafMean = 61.817;
        BypassReport.ScoreMode bypass = b.scoring.mode(BypassBench.MOUNT_BYPASS);
        bypass.total = ms(11000, 11220, 11100);
        bypass.prepare = ms(3, 3, 3);
        bypass.score = ms(10997, 11217, 11097);
        bypass.vmafMean = 61.817;
        bypass.bypassed = 6;
        bypass.inputs = 6;
        BypassReport.ScoreMode off = b.scoring.mode(BypassBench.MOUNT);
        off.skipped = "mount failed";
        BypassReport r = b.build(CLEAN);
        String text = r.text();
        assertTrue(text.contains("(c) scoring a 1280x720 5 s y4m pair (2 x 165 MiB)"), text);
        assertTrue(text.contains("mount + bypass     3         11100         11220            3      11097         1.09x     61.817  bypass: 6/6 inputs"), text);
        assertTrue(text.contains("mount              -             -"), text);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> modes = (List<Map<String, Object>>) ((Map<String, Object>) r.toJson().get("score")).get("modes");
        assertEquals(3, modes.size());
        assertNull(modes.get(0).get("total_p50_vs_local"));
        assertEquals(1.088, modes.get(1).get("total_p50_vs_local"));
        assertEquals("mount failed", modes.get(2).get("skipped"));
    }
}
