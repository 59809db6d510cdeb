package io.vmafx.core.score;

import static io.vmafx.core.score.ScoreTools.SRC01;
import static io.vmafx.core.score.ScoreTools.assertNear;
import static io.vmafx.core.score.ScoreTools.assertNothingLeft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bit depth and container the node may be handed scores consistently with the raw pair: Netflix's 10-bit
 * src01 distorted vector re-encoded losslessly by the tests' ffmpeg 4.1 (y4m at 8, 10 and 12 bits; H.264 8/10,
 * HEVC 8/10/12 and AV1 8/10 in mp4 and mkv) and scored against the raw 10-bit reference must give the raw pair's
 * score, and report what each input decoded to.
 *
 * <p>Why "the same score" is the right expectation at every depth: the src01 vectors hold 8-bit samples in 10-bit
 * words (every sample a multiple of 4, checked below), so each of these encodes carries exactly the same picture.
 * A scorer that handed libvmaf 8-bit or 12-bit samples as if they were 10-bit (libvmaf 1.3's bug: 74.14 for this
 * pair) would score far off. libvmaf 2.3's filter reads 8 and 10 bits, so 12-bit input is scored at 10 bits.
 */
class BitDepthAndContainerTest {

    @TempDir
    static Path clips;

    /** The raw pair's VMAF, which every lossless re-encode must reproduce. */
    static double rawScore;

    @TempDir
    Path tmp;

    @BeforeAll
    static void scoreTheRawPair(@TempDir Path scratch) throws Exception {
        for (Path vector : new Path[] {ScoreTools.src01Reference(), ScoreTools.src01Distorted()}) {
            ShortBuffer samples = ByteBuffer.wrap(Files.readAllBytes(vector)).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
            while (samples.hasRemaining()) {
                short v = samples.get();
                if ((v & 3) != 0) {
                    throw new AssertionError(vector + " holds a sample that is not 8-bit precision (" + v + "): the"
                            + " lossless encodes below could not all carry the same picture");
                }
            }
        }
        rawScore = ScoreTools.scorer(scratch).score(ScoreTools.src01Pair(ScoreOptions.DEFAULTS)).mean();
        assertNear(82.56523, rawScore, 0.001, "the raw src01 pair");
    }

    /** Name, encoder output options, and the pixel format the scorer must report for the distorted input. */
    static Stream<Arguments> losslessEncodes() {
        String x265 = "lossless=1:log-level=error";
        String[] aom = {"-c:v", "libaom-av1", "-crf", "0", "-b:v", "0", "-cpu-used", "8", "-strict", "experimental"};
        return Stream.of(
                Arguments.of("y4m-10.y4m", new String[] {"-pix_fmt", "yuv420p10le", "-strict", "-1"}, "yuv420p10le"),
                Arguments.of("y4m-8.y4m", new String[] {"-pix_fmt", "yuv420p"}, "yuv420p"),
                Arguments.of("y4m-12.y4m", new String[] {"-pix_fmt", "yuv420p12le", "-strict", "-1"}, "yuv420p12le"),
                Arguments.of("h264-8.mp4", new String[] {"-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p"}, "yuv420p"),
                Arguments.of("h264-10.mkv", new String[] {"-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p10le"},
                        "yuv420p10le"),
                Arguments.of("hevc-8.mp4", new String[] {"-c:v", "libx265", "-x265-params", x265, "-pix_fmt", "yuv420p"},
                        "yuv420p"),
                Arguments.of("hevc-10.mkv", new String[] {"-c:v", "libx265", "-x265-params", x265, "-pix_fmt",
                        "yuv420p10le"}, "yuv420p10le"),
                Arguments.of("hevc-12.mp4", new String[] {"-c:v", "libx265", "-x265-params", x265, "-pix_fmt",
                        "yuv420p12le"}, "yuv420p12le"),
                Arguments.of("av1-8.mkv", concat(aom, "-pix_fmt", "yuv420p"), "yuv420p"),
                Arguments.of("av1-10.mkv", concat(aom, "-pix_fmt", "yuv420p10le"), "yuv420p10le"));
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losslessEncodes")
    void losslessEncodeScoresAsTheRawPair(String name, String[] options, String decodedAs) throws Exception {
        Path encoded = ScoreTools.encode(ScoreTools.src01Distorted(), SRC01, clips.resolve(name), options);
        VmafScores s = ScoreTools.scorer(tmp).score(ScoreTools.againstSrc01Reference(encoded.toString(), null));
        System.out.printf("bit-depth: %-12s decoded as %-12s vmaf=%.6f (raw pair %.6f)%n", name, s.distorted().pixFmt(),
                s.mean(), rawScore);
        assertNear(rawScore, s.mean(), 0.005, name + " against the raw reference");
        assertEquals(new VideoFormat(576, 324, decodedAs), s.distorted());
        assertEquals(SRC01.videoFormat(), s.reference());
        assertEquals(new FrameCounts(3, 3, 3, 3), s.counts());
        assertNull(s.scaledWith());
        assertNothingLeft(tmp);
    }

    @Test
    void twelveBitPairScoresAsTheTenBitPair() throws Exception {
        Path ref12 = ScoreTools.encode(ScoreTools.src01Reference(), SRC01, clips.resolve("ref-12.mkv"), "-c:v", "libx265",
                "-x265-params", "lossless=1:log-level=error", "-pix_fmt", "yuv420p12le");
        Path dis12 = ScoreTools.encode(ScoreTools.src01Distorted(), SRC01, clips.resolve("dis-12.y4m"),
                "-pix_fmt", "yuv420p12le", "-strict", "-1");
        VmafScores s = ScoreTools.scorer(tmp).score(ScoreRequest.of(ref12.toString(), dis12.toString()));
        assertNear(rawScore, s.mean(), 0.005, "12-bit HEVC reference against a 12-bit y4m");
        assertEquals(new VideoFormat(576, 324, "yuv420p12le"), s.reference());
        assertEquals(new VideoFormat(576, 324, "yuv420p12le"), s.distorted());
        assertNothingLeft(tmp);
    }

    @Test
    void mixedDepthsScoreAtTheHigherDepthAndReportBothFormats() throws Exception {
        // 8-bit reference (H.264 in mp4) against the 10-bit raw distorted vector.
        Path ref8 = ScoreTools.encode(ScoreTools.src01Reference(), SRC01, clips.resolve("ref-8.mp4"), "-c:v", "libx264",
                "-qp", "0", "-pix_fmt", "yuv420p");
        VmafScores eightVsTen = ScoreTools.scorer(tmp).score(new ScoreRequest(ref8.toString(),
                ScoreTools.src01Distorted().toString(), null, SRC01, ScoreOptions.DEFAULTS, ProgressListener.NONE));
        assertNear(rawScore, eightVsTen.mean(), 0.005, "8-bit reference against the 10-bit distorted vector");
        assertEquals(new VideoFormat(576, 324, "yuv420p"), eightVsTen.reference());
        assertEquals(new VideoFormat(576, 324, "yuv420p10le"), eightVsTen.distorted());

        // 8-bit raw distorted against a 12-bit reference.
        Path dis8 = ScoreTools.encode(ScoreTools.src01Distorted(), SRC01, clips.resolve("dis-8.yuv"), "-f", "rawvideo",
                "-pix_fmt", "yuv420p");
        Path ref12 = ScoreTools.encode(ScoreTools.src01Reference(), SRC01, clips.resolve("ref-12.y4m"),
                "-pix_fmt", "yuv420p12le", "-strict", "-1");
        VmafScores twelveVsEight = ScoreTools.scorer(tmp).score(new ScoreRequest(ref12.toString(), dis8.toString(), null,
                new RawVideoFormat(576, 324, "yuv420p"), ScoreOptions.DEFAULTS, ProgressListener.NONE));
        assertNear(rawScore, twelveVsEight.mean(), 0.005, "12-bit reference against an 8-bit raw distorted video");
        assertEquals(new VideoFormat(576, 324, "yuv420p12le"), twelveVsEight.reference());
        assertEquals(new VideoFormat(576, 324, "yuv420p"), twelveVsEight.distorted());
        assertNothingLeft(tmp);
    }
}
