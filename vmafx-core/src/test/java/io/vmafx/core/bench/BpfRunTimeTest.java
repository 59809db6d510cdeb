package io.vmafx.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BpfRunTimeTest {

    /** bpftool 7.1's {@code --json prog show}, trimmed: the probe's programs and one of somebody else's. */
    private static final String SHOW = "[{\"id\":41,\"type\":\"tracepoint\",\"name\":\"vmafx_openat_e\",\"tag\":\"a1b2\","
            + "\"gpl_compatible\":true,\"run_time_ns\":1500,\"run_cnt\":10,\"loaded_at\":1763700000,\"uid\":0},"
            + "{\"id\":42,\"type\":\"tracepoint\",\"name\":\"vmafx_read_x\",\"run_time_ns\":9000,\"run_cnt\":30},"
            + "{\"id\":43,\"type\":\"kprobe\",\"name\":\"other_prog\",\"run_time_ns\":777,\"run_cnt\":7},"
            + "{\"id\":44,\"type\":\"tracepoint\",\"name\":\"vmafx_close_e\"}]";

    @Test
    void parseKeepsOnlyTheProbesProgramsAndReadsNoStatisticsAsZero() throws Exception {
        Map<Long, BpfRunTime.Counters> p = BpfRunTime.parse(SHOW);
        assertEquals(Set.of(41L, 42L, 44L), p.keySet());
        assertEquals(new BpfRunTime.Counters(1500, 10), p.get(41L));
        assertEquals(new BpfRunTime.Counters(0, 0), p.get(44L), "statistics off: bpftool leaves the fields out");
    }

    @Test
    void sinceCountsOnlyProgramsLoadedAfterTheBaselineAndTheirGrowth() {
        Map<Long, BpfRunTime.Counters> start = Map.of(
                1L, new BpfRunTime.Counters(100, 1),   // another probe's, loaded before ours
                7L, new BpfRunTime.Counters(1000, 10));
        Map<Long, BpfRunTime.Counters> end = Map.of(
                1L, new BpfRunTime.Counters(900, 9),
                7L, new BpfRunTime.Counters(4000, 40),
                8L, new BpfRunTime.Counters(500, 5));   // ours, not yet listed at the start
        assertEquals(new BpfRunTime.Counters(3500, 35), BpfRunTime.since(Set.of(1L), start, end));
    }

    @Test
    void probeCpuIsTheMedianShareOfTheReadTime() {
        // 1 ms of probe time in a 100 ms read is 1 %; 2 in 100 is 2 %; 3 in 100 is 3 %.
        ProbeCpu c = ProbeCpu.of(List.of(1_000_000L, 3_000_000L, 2_000_000L), List.of(1000L, 3000L, 2000L), List.of(100.0, 100.0, 100.0));
        assertEquals(2.0, c.medianPercent(), 1e-9);
        assertEquals(2000.0, c.medianMicros(), 1e-9);
        assertEquals(1000.0, c.nanosPerRun(), 1e-9);
        assertEquals(1.0, c.ciLowPercent(), 1e-9, "fewer than 6 runs: the whole range");
        assertEquals(3.0, c.ciHighPercent(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> ProbeCpu.of(List.of(1L), List.of(1L), List.of()));
    }

    /** On this machine (root, a kernel with the sysctl), turning the statistics on works and is undone. */
    @Test
    void enableTurnsTheSysctlOnAndCloseRestoresIt() throws Exception {
        Path sysctl = Path.of("/proc/sys/kernel/bpf_stats_enabled");
        String before = Files.readString(sysctl).trim();
        try (BpfRunTime t = BpfRunTime.enable(Files.isExecutable(Path.of("/usr/sbin/bpftool")) ? "/usr/sbin/bpftool" : "bpftool")) {
            assertEquals("1", Files.readString(sysctl).trim());
            t.programs(); // bpftool runs and answers JSON
        }
        assertEquals(before, Files.readString(sysctl).trim());
    }
}
