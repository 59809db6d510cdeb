package io.vmafx.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.core.job.InputReport;
import io.vmafx.core.job.JobResult;
import io.vmafx.core.score.VmafScores;
import io.vmafx.spi.bypass.FuseTraffic;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BypassBenchTest {

    private static final Clips.Size CLIP = new Clips.Size(1280, 720);

    @Test
    void optionsNameTheOptionThatIsOutOfRange() {
        new BypassBench.Options(100, 20, 10, 3, CLIP, 5);
        assertEquals(100L << 20, new BypassBench.Options(100, 20, 10, 3, CLIP, 5).bytes());
        String[][] bad = {{"--size-mib", "0"}, {"--runs", "0"}, {"--overhead-runs", "0"}, {"--score-runs", "101"}, {"--clip-seconds", "61"}};
        for (String[] b : bad) {
            int v = Integer.parseInt(b[1]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BypassBench.Options(
                    b[0].equals("--size-mib") ? v : 100, b[0].equals("--runs") ? v : 20, b[0].equals("--overhead-runs") ? v : 10,
                    b[0].equals("--score-runs") ? v : 3, CLIP, b[0].equals("--clip-seconds") ? v : 5));
            assertTrue(e.getMessage().startsWith(b[0] + " must be"), e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> new BypassBench.Options(100, 20, 10, 3, null, 5));
    }

    @Test
    void eachPathLeadsOnceEveryRoundOfRotations() {
        List<String> paths = List.of("fuse", "bypass", "each", "direct");
        assertEquals(paths, BypassBench.rotated(paths, 0));
        assertEquals(List.of("bypass", "each", "direct", "fuse"), BypassBench.rotated(paths, 1));
        assertEquals(List.of("direct", "fuse", "bypass", "each"), BypassBench.rotated(paths, 3));
        assertEquals(paths, BypassBench.rotated(paths, 4));
        assertEquals(List.of("b", "a"), BypassBench.rotated(List.of("a", "b"), -1));
        assertEquals(List.of(), BypassBench.rotated(List.of(), 3));
    }

    private static InputReport input(boolean bypassed, Long fuseBytes) {
        return new InputReport("r:clip.y4m", "mount", "/x/clip.y4m", bypassed, bypassed ? "" : "not in the cache",
                fuseBytes == null ? Optional.empty() : Optional.of(new FuseTraffic(fuseBytes, fuseBytes == 0 ? 0 : 1)));
    }

    private static JobResult job(double mean, long prepare, long score, InputReport ref, InputReport dis) {
        VmafScores s = VmafScores.fromFrames("libvmaf", List.of(mean));
        return new JobResult(s, io.vmafx.core.score.ScoreOptions.DEFAULTS, ref, dis, prepare, score, prepare + score);
    }

    @Test
    void aModeSummarisesItsTimesBypassedInputsAndTheFuseBytesPerJob() throws IOException {
        BypassReport.ScoreMode m = new BypassReport.ScoreMode(BypassBench.MOUNT_BYPASS);
        BypassBench.summarize(m, List.of(
                job(61.8, 3, 100, input(true, 0L), input(true, 1L)),
                job(61.8, 2, 120, input(true, 0L), input(false, 4096L)),
                job(61.8, 4, 110, input(true, null), input(true, null))));
        assertEquals(114, m.total.p50(), "totals 103, 122, 114: the nearest-rank p50 of three is the middle one");
        assertEquals(122, m.total.max());
        assertEquals(List.of(1L, 4096L), m.fuseBytes, "per job, both inputs; a job without a watch has no figure");
        assertEquals(5, m.bypassed);
        assertEquals(6, m.inputs);
        assertEquals("not in the cache", m.lastDecline);
        assertEquals(110, m.score.p50());
        assertEquals(3, m.prepare.p50());
        assertTrue(m.note().startsWith("bypass: 5/6 inputs (declined: not in the cache); FUSE bytes per job seen by the probe: 4096"), m.note());

        BypassReport.ScoreMode plain = new BypassReport.ScoreMode(BypassBench.MOUNT);
        BypassBench.summarize(plain, List.of(job(61.8, 2, 100, input(false, null), input(false, null))));
        assertEquals("all 2 inputs through FUSE: not in the cache", plain.note());
    }

    @Test
    void theSamePairMustScoreTheSameInEveryRunAndEveryMode() throws IOException {
        BypassReport.ScoreMode m = new BypassReport.ScoreMode(BypassBench.MOUNT);
        IOException e = assertThrows(IOException.class, () -> BypassBench.summarize(m, List.of(
                job(61.8, 1, 1, input(false, null), input(false, null)), job(61.9, 1, 1, input(false, null), input(false, null)))));
        assertTrue(e.getMessage().contains("changed between runs"), e.getMessage());

        BypassReport.ScoreMode local = new BypassReport.ScoreMode(BypassBench.LOCAL);
        BypassBench.summarize(local, List.of(job(61.8, 0, 1, input(false, null), input(false, null))));
        BypassReport.ScoreMode other = new BypassReport.ScoreMode(BypassBench.MOUNT_BYPASS);
        BypassBench.summarize(other, List.of(job(61.7, 0, 1, input(true, 0L), input(true, 0L))));
        BypassReport.ScoreMode skipped = new BypassReport.ScoreMode("skipped");
        skipped.skipped = "not usable";
        BypassBench.checkMeans(List.of(local, skipped));
        e = assertThrows(IOException.class, () -> BypassBench.checkMeans(List.of(local, skipped, other)));
        assertEquals("the VMAF mean through mount + bypass is 61.700000, through local 61.800000", e.getMessage());
    }

    @Test
    void bpfDescriptorsOfThisProcessAreFoundByTheirAnonymousInode() {
        // No probe in this test JVM: nothing to find, and no exception from reading /proc/self/fd.
        assertEquals(List.of(), BypassBench.bpfDescriptors());
    }
}
