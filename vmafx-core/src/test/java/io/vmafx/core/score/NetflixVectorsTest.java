package io.vmafx.core.score;

import static io.vmafx.core.score.ScoreTools.assertNear;
import static io.vmafx.core.score.ScoreTools.assertNothingLeft;
import static io.vmafx.core.score.ScoreTools.assertPlaces;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LibvmafScorer} scores Netflix's own test vectors as Netflix's tests expect (values from
 * {@code ../shared/vmaf/vectors/README.md}; tolerances as noted on each). Each measurement is printed as
 * {@code netflix-vector:} for the record.
 */
class NetflixVectorsTest {

    @TempDir
    Path tmp;

    private static void record(String pair, String metric, double netflix, double ours) {
        System.out.printf("netflix-vector: %s %s netflix=%.6f ours=%.6f difference=%+.6f%n", pair, metric, netflix, ours,
                ours - netflix);
    }

    @Test
    void tenBitPairScoresAsNetflixWithItsFeatures() throws Exception {
        VmafScores s = ScoreTools.scorer(tmp).score(ScoreTools.src01Pair(
                ScoreTools.withFeatures(Feature.PSNR, Feature.FLOAT_SSIM, Feature.FLOAT_MS_SSIM)));
        double vmaf = s.mean();
        double psnr = s.metric("psnr_y").orElseThrow().pooled().mean();
        double ssim = s.metric("float_ssim").orElseThrow().pooled().mean();
        double msSsim = s.metric("float_ms_ssim").orElseThrow().pooled().mean();
        record("src01 10-bit", "vmaf (README)", 82.56422466666668, vmaf);
        record("src01 10-bit", "vmaf (vmafexec_test yuv420p10le_b)", 82.56523033333333, vmaf);
        record("src01 10-bit", "psnr_y", 32.57143333333333, psnr);
        record("src01 10-bit", "float_ssim", 0.8978630000000001, ssim);
        record("src01 10-bit", "float_ms_ssim", 0.9747490000000001, msSsim);

        assertNear(82.56422466666668, vmaf, 0.005, "VMAF of the 10-bit pair, README's value");
        // Netflix's vmafexec_test.py (test_run_vmafexec_runner_yuv420p10le_b) asserts 82.56523033333333, places=4.
        assertPlaces(82.56523033333333, vmaf, 4, "VMAF of the 10-bit pair, vmafexec_test's value");
        // Netflix asserts its float_psnr with places=4; libvmaf's integer psnr_y, which the node reports, agrees to that.
        assertPlaces(32.57143333333333, psnr, 4, "psnr_y of the 10-bit pair");
        assertPlaces(0.8978630000000001, ssim, 4, "float_ssim of the 10-bit pair");
        assertPlaces(0.9747490000000001, msSsim, 4, "float_ms_ssim of the 10-bit pair");
        assertNear(0.8978630000000001, ssim, 0.001, "float_ssim");
        assertNear(0.9747490000000001, msSsim, 0.001, "float_ms_ssim");

        assertEquals(new FrameCounts(3, 3, 3, 3), s.counts());
        assertEquals(new VideoFormat(576, 324, "yuv420p10le"), s.reference());
        assertEquals(new VideoFormat(576, 324, "yuv420p10le"), s.distorted());
        assertNull(s.scaledWith());
        assertEquals("libvmaf", s.scorer());
        assertNothingLeft(tmp);
    }

    @Test
    void tenBitReferenceAgainstItselfScoresAsNetflix() throws Exception {
        Path ref = ScoreTools.src01Reference();
        VmafScores s = ScoreTools.scorer(tmp).score(new ScoreRequest(ref.toString(), ref.toString(), ScoreTools.SRC01,
                ScoreTools.SRC01, ScoreTools.withFeatures(Feature.PSNR), ProgressListener.NONE));
        record("src01 10-bit reference vs itself", "vmaf", 99.142826, s.mean());
        assertPlaces(99.142826, s.mean(), 4, "VMAF of the 10-bit reference against itself");
        // 10-bit PSNR of identical frames is libvmaf's cap, 6 * 10 + 12 dB (Netflix's tests: float_psnr 72.0).
        assertEquals(72.0, s.metric("psnr_y").orElseThrow().pooled().min(), 1e-9);
        assertNothingLeft(tmp);
    }

    @Test
    void eightBitPairScoresAsNetflixWithIntegerFeatures() throws Exception {
        VmafScores s = ScoreTools.scorer(tmp).score(ScoreTools.q160Pair(ScoreOptions.DEFAULTS));
        record("q160x90 8-bit", "vmaf", 92.52095888042386, s.mean());
        // quality_runner_test.py asserts this with places=2, i.e. within 0.005.
        assertNear(92.52095888042386, s.mean(), 0.005, "VMAF of the 8-bit 160x90 pair");
        assertEquals(new FrameCounts(48, 48, 48, 48), s.counts());
        assertEquals(new VideoFormat(160, 90, "yuv420p"), s.reference());
        assertNothingLeft(tmp);
    }
}
