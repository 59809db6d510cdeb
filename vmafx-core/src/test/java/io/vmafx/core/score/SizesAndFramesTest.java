package io.vmafx.core.score;

import static io.vmafx.core.score.ScoreTools.SRC01;
import static io.vmafx.core.score.ScoreTools.assertNothingLeft;
import static io.vmafx.core.score.ScoreTools.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Frame sizes, raw layouts and frame counts: scaling a distorted video of another size, raw inputs each with their own
 * layout, raw files that are not a whole number of frames (local and over HTTP), empty and truncated files, inputs of
 * different lengths, and subsampling. On Netflix's src01 (3 frames) and q160x90 (48 frames) vectors.
 */
class SizesAndFramesTest {

    @TempDir
    static Path clips;

    /** The src01 distorted vector downscaled to 288x162, raw 8-bit. */
    static Path small8;
    static final RawVideoFormat SMALL8 = new RawVideoFormat(288, 162, "yuv420p");
    /** The raw src01 pair's scores. */
    static VmafScores full;

    @TempDir
    Path tmp;

    @BeforeAll
    static void clips(@TempDir Path scratch) throws Exception {
        small8 = ScoreTools.encode(ScoreTools.src01Distorted(), SRC01, clips.resolve("small8.yuv"), "-vf", "scale=288:162",
                "-f", "rawvideo", "-pix_fmt", "yuv420p");
        full = ScoreTools.scorer(scratch).score(ScoreTools.src01Pair(ScoreOptions.DEFAULTS));
    }

    private VmafScores score(ScoreRequest request) throws Exception {
        return ScoreTools.scorer(tmp).score(request);
    }

    private static ScoreRequest src01Against(Path distorted, RawVideoFormat raw, ScoreOptions options) {
        return ScoreTools.againstSrc01Reference(distorted.toString(), raw).withOptions(options);
    }

    private static ScoreOptions scaling(Scaling s) {
        return new ScoreOptions(List.of(VmafModel.DEFAULT), List.of(), 1, s, false);
    }

    @Test
    void smallerDistortedIsScaledToTheReferenceBicubicByDefault() throws Exception {
        VmafScores bicubic = score(src01Against(small8, SMALL8, ScoreOptions.DEFAULTS));
        VmafScores lanczos = score(src01Against(small8, SMALL8, scaling(Scaling.LANCZOS)));
        System.out.printf("scaling: 288x162 -> 576x324 bicubic %.6f, lanczos %.6f (full size %.6f)%n", bicubic.mean(),
                lanczos.mean(), full.mean());
        assertEquals(Scaling.BICUBIC, ScoreOptions.DEFAULTS.scaling());
        assertEquals(Scaling.BICUBIC, bicubic.scaledWith());
        assertEquals(Scaling.LANCZOS, lanczos.scaledWith());
        for (VmafScores s : List.of(bicubic, lanczos)) {
            assertEquals(new VideoFormat(576, 324, "yuv420p10le"), s.reference());
            assertEquals(new VideoFormat(288, 162, "yuv420p"), s.distorted());
            assertEquals(new FrameCounts(3, 3, 3, 3), s.counts());
            // Half the resolution costs detail: clearly below the full-size pair, yet far from nonsense.
            assertTrue(s.mean() > 40 && s.mean() < full.mean() - 5, () -> "plausible score after scaling: " + s.mean());
        }
        assertTrue(Math.abs(bicubic.mean() - lanczos.mean()) > 0.1,
                () -> "another scaling method must change the score: " + bicubic.mean() + " vs " + lanczos.mean());
        assertNothingLeft(tmp);
    }

    @Test
    void rawInputsEachHaveTheirOwnSizeAndPixelFormat() throws Exception {
        // The same 288x162 8-bit frames as a y4m: reading the raw file with its own layout must give the same score.
        Path y4m = ScoreTools.encode(small8, SMALL8, clips.resolve("small8.y4m"), "-pix_fmt", "yuv420p");
        VmafScores raw = score(src01Against(small8, SMALL8, ScoreOptions.DEFAULTS));
        VmafScores container = score(src01Against(y4m, null, ScoreOptions.DEFAULTS));
        assertEquals(raw.frames(), container.frames());
        assertEquals(container.distorted(), raw.distorted());
        assertNothingLeft(tmp);
    }

    @Test
    void localRawFileThatIsNotWholeFramesFailsBeforeScoring() throws Exception {
        Path part = Files.write(clips.resolve("part.yuv"), Arrays.copyOf(Files.readAllBytes(ScoreTools.src01Distorted()),
                1_000_000));
        ScoringException e = assertThrows(ScoringException.class, () -> score(src01Against(part, SRC01,
                ScoreOptions.DEFAULTS)));
        assertEquals("not a whole number of 576x324 yuv420p10le frames (559872 bytes each): 1000000 bytes are 1 frames"
                + " and 440128 bytes; check its size and pixel format", e.getMessage());
        assertEquals(Optional.of(InputSide.DISTORTED), e.side());
        // Read as 8-bit, the same file is not a whole number of frames either: a wrong layout is caught the same way.
        ScoringException wrongLayout = assertThrows(ScoringException.class, () -> score(src01Against(
                ScoreTools.src01Distorted(), new RawVideoFormat(576, 324, "yuv422p"), ScoreOptions.DEFAULTS)));
        assertTrue(wrongLayout.getMessage().startsWith("not a whole number of 576x324 yuv422p frames (373248 bytes each):"
                + " 1679616 bytes"), wrongLayout.getMessage());
        assertNothingLeft(tmp);
    }

    @Test
    void rawUrlThatIsNotWholeFramesFailsBeforeScoring() throws Exception {
        byte[] whole = Files.readAllBytes(ScoreTools.src01Distorted());
        try (LoopbackHttpServer http = LoopbackHttpServer.start()) {
            http.serve("/part.yuv", Arrays.copyOf(whole, 1_000_000)).serve("/whole.yuv", whole);
            // The size comes from one ranged GET (Content-Range), so the URL fails up front like a local file.
            String expected = "not a whole number of 576x324 yuv420p10le frames (559872 bytes each): 1000000 bytes are 1"
                    + " frames and 440128 bytes; check its size and pixel format";
            ScoringException distorted = assertThrows(ScoringException.class, () -> score(
                    ScoreTools.againstSrc01Reference(http.url("/part.yuv"), SRC01)));
            assertEquals(expected, distorted.getMessage());
            assertEquals(Optional.of(InputSide.DISTORTED), distorted.side());
            // Both inputs URLs of one layout: each is sized on its own, so the one at fault is named.
            ScoringException reference = assertThrows(ScoringException.class, () -> score(new ScoreRequest(
                    http.url("/part.yuv"), http.url("/whole.yuv"), SRC01, SRC01, ScoreOptions.DEFAULTS,
                    ProgressListener.NONE)));
            assertEquals(expected, reference.getMessage());
            assertEquals(Optional.of(InputSide.REFERENCE), reference.side());
        }
        assertNothingLeft(tmp);
    }

    @Test
    void rawPipeIsReadLikeAFile() throws Exception {
        // A pipe's size is 0 to stat(): it must be read, not refused as an empty file.
        Path fifo = clips.resolve("dis.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        byte[] frames = Files.readAllBytes(ScoreTools.src01Distorted());
        Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) {
                out.write(frames);
            } catch (IOException ignored) {
                // The reader went away: the assertions below say why.
            }
        }, "test-fifo-writer");
        writer.setDaemon(true);
        writer.start();
        VmafScores s = score(src01Against(fifo, SRC01, ScoreOptions.DEFAULTS));
        assertEquals(full.frames(), s.frames());
        writer.join(5_000);
        assertNothingLeft(tmp);
    }

    @Test
    void emptyFilesFailNamingTheInput() throws Exception {
        Path emptyRaw = Files.createFile(clips.resolve("empty.yuv"));
        ScoringException raw = assertThrows(ScoringException.class, () -> score(src01Against(emptyRaw, SRC01,
                ScoreOptions.DEFAULTS)));
        assertEquals("no video frames: the file is empty", raw.getMessage());
        assertEquals(Optional.of(InputSide.DISTORTED), raw.side());

        Path emptyMp4 = Files.createFile(clips.resolve("empty.mp4"));
        ScoringException mp4 = assertThrows(ScoringException.class, () -> score(ScoreRequest.of(emptyMp4.toString(),
                small8.toString())));
        assertEquals("no video frames: the file is empty", mp4.getMessage(), "an empty container too, before ffprobe runs");
        assertEquals(Optional.of(InputSide.REFERENCE), mp4.side());
        assertNothingLeft(tmp);
    }

    /** The first {@code fraction} of {@code file}'s bytes in {@code out}. */
    private static Path cut(Path file, double fraction, Path out) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return Files.write(out, Arrays.copyOf(bytes, (int) (bytes.length * fraction)));
    }

    @Test
    void truncatedContainersAreDetected() throws Exception {
        Path mp4 = ScoreTools.encode(ScoreTools.src01Distorted(), SRC01, clips.resolve("whole.mp4"), "-c:v", "libx264",
                "-qp", "0", "-pix_fmt", "yuv420p");
        Path faststart = ScoreTools.encode(ScoreTools.src01Distorted(), SRC01, clips.resolve("faststart.mp4"), "-c:v",
                "libx264", "-qp", "0", "-pix_fmt", "yuv420p", "-movflags", "+faststart");
        Path mkv = ScoreTools.encode(ScoreTools.src01Distorted(), SRC01, clips.resolve("whole.mkv"), "-c:v", "libx264",
                "-qp", "0", "-pix_fmt", "yuv420p");
        String r = ScoreTools.src01Reference().toString();

        // The index (moov) written last is cut off: the file does not open.
        ScoringException noIndex = assertThrows(ScoringException.class, () -> score(
                ScoreTools.againstSrc01Reference(cut(mp4, 2 / 3.0, clips.resolve("cut.mp4")).toString(), null)));
        assertEquals("cannot open: Invalid data found when processing input", noIndex.getMessage());
        assertEquals(Optional.of(InputSide.DISTORTED), noIndex.side());

        // Index first, samples cut after the first frame: decoding the missing frames fails during scoring.
        ScoringException lateCut = assertThrows(ScoringException.class, () -> score(
                ScoreTools.againstSrc01Reference(cut(faststart, 2 / 3.0, clips.resolve("cut-late.mp4")).toString(), null)));
        System.out.println("truncated faststart mp4 (2/3): " + lateCut.getMessage());
        assertTrue(lateCut.getMessage().startsWith("cannot be read whole: "), lateCut.getMessage());
        assertEquals(Optional.of(InputSide.DISTORTED), lateCut.side());

        // Cut inside the first frame: the probe's decoder gets no frame at all (ffmpeg says which movie source).
        ScoringException earlyCut = assertThrows(ScoringException.class, () -> score(
                ScoreTools.againstSrc01Reference(cut(faststart, 1 / 3.0, clips.resolve("cut-early.mp4")).toString(), null)));
        System.out.println("truncated faststart mp4 (1/3): " + earlyCut.getMessage());
        assertTrue(earlyCut.getMessage().startsWith("cannot be read: [h264] "), earlyCut.getMessage());
        assertEquals(Optional.of(InputSide.DISTORTED), earlyCut.side());

        // Matroska knows its length: any cut is reported by its demuxer, early or late.
        for (double fraction : new double[] {1 / 3.0, 2 / 3.0}) {
            Path cutMkv = cut(mkv, fraction, clips.resolve("cut-" + fraction + ".mkv"));
            ScoringException e = assertThrows(ScoringException.class, () -> score(new ScoreRequest(cutMkv.toString(),
                    r, null, SRC01, ScoreOptions.DEFAULTS, ProgressListener.NONE)));
            assertTrue(e.getMessage().matches("cannot be read( whole)?: \\[matroska,webm] File ended prematurely.*"),
                    e.getMessage());
            assertEquals(Optional.of(InputSide.REFERENCE), e.side());
            assertOneLine(e);
        }
        assertNothingLeft(tmp);
    }

    @Test
    void truncatedY4mFailsNamingTheWholeFramesAndThePartialOne() throws Exception {
        // ffmpeg's y4m demuxer drops a partial last frame without a word: the scorer checks the size against the
        // header's frame layout itself, so a cut file fails, even when common frames are allowed.
        Path y4m = ScoreTools.encode(ScoreTools.src01Distorted(), SRC01, clips.resolve("dis.y4m"),
                "-pix_fmt", "yuv420p10le", "-strict", "-1");
        Path cut = Files.write(clips.resolve("cut.y4m"), Arrays.copyOf(Files.readAllBytes(y4m), (int) Files.size(y4m) - 1000));
        String expected = "truncated: 2 whole 576x324 frames, then 558878 of the 559878 bytes of frame 3";
        ScoringException e = assertThrows(ScoringException.class, () -> score(
                ScoreTools.againstSrc01Reference(cut.toString(), null)));
        assertEquals(expected, e.getMessage());
        assertEquals(Optional.of(InputSide.DISTORTED), e.side());
        ScoringException common = assertThrows(ScoringException.class, () -> score(
                ScoreTools.againstSrc01Reference(cut.toString(), null).withOptions(
                new ScoreOptions(List.of(VmafModel.DEFAULT), List.of(), 1, Scaling.BICUBIC, true))));
        assertEquals(expected, common.getMessage());
        try (LoopbackHttpServer http = LoopbackHttpServer.start()) {
            http.serve("/cut.y4m", Files.readAllBytes(cut));
            ScoringException url = assertThrows(ScoringException.class, () -> score(
                    ScoreTools.againstSrc01Reference(http.url("/cut.y4m"), null)));
            assertEquals(expected, url.getMessage(), "a URL is sized by a ranged GET, the same check");
        }
        // Cut at a frame boundary, a y4m is a shorter video: the frame counts tell.
        long header = Files.size(y4m) - 3 * (SRC01.frameBytes() + 6);
        Path twoFrames = Files.write(clips.resolve("two.y4m"), Arrays.copyOf(Files.readAllBytes(y4m),
                (int) (header + 2 * (SRC01.frameBytes() + 6))));
        VmafScores shorter = score(ScoreTools.againstSrc01Reference(twoFrames.toString(), null).withOptions(
                new ScoreOptions(List.of(VmafModel.DEFAULT), List.of(), 1, Scaling.BICUBIC, true)));
        assertEquals(new FrameCounts(3, 2, 2, 2), shorter.counts());
        assertNothingLeft(tmp);
    }

    @Test
    void differentFrameCountsFailWithBothCountsOrScoreTheCommonFrames() throws Exception {
        byte[] all = Files.readAllBytes(ScoreTools.src01Distorted());
        Path twoFrames = Files.write(clips.resolve("two.yuv"), Arrays.copyOf(all, (int) (2 * SRC01.frameBytes())));
        ScoringException e = assertThrows(ScoringException.class, () -> score(src01Against(twoFrames, SRC01,
                ScoreOptions.DEFAULTS)));
        assertEquals("frame counts differ: reference 3 frames, distorted 2 frames; ask for common frames"
                + " (--common-frames, or common_frames in a job) to score the first 2", e.getMessage());
        assertTrue(e.side().isEmpty());

        ScoreOptions common = new ScoreOptions(List.of(VmafModel.DEFAULT), List.of(), 1, Scaling.BICUBIC, true);
        VmafScores shorterDistorted = score(src01Against(twoFrames, SRC01, common));
        assertEquals(new FrameCounts(3, 2, 2, 2), shorterDistorted.counts());
        // Frame 0's motion looks at frames 0 and 1 only: it is the same as in the full pair.
        assertEquals(full.frames().get(0), shorterDistorted.frames().get(0));

        VmafScores shorterReference = score(new ScoreRequest(twoFrames.toString(), ScoreTools.src01Reference().toString(),
                SRC01, SRC01, common, ProgressListener.NONE));
        assertEquals(new FrameCounts(2, 3, 2, 2), shorterReference.counts());
        assertNothingLeft(tmp);
    }

    @Test
    void subsamplingScoresEveryNthFrame() throws Exception {
        VmafScores all = score(ScoreTools.q160Pair(ScoreOptions.DEFAULTS));
        assertEquals(48, all.frameCount());
        for (int n : new int[] {5, 7, 48, 1000}) {
            VmafScores s = score(ScoreTools.q160Pair(new ScoreOptions(List.of(VmafModel.DEFAULT), List.of(), n,
                    Scaling.BICUBIC, false)));
            int expected = (48 + n - 1) / n;
            assertEquals(new FrameCounts(48, 48, 48, expected), s.counts(), "subsample " + n);
            List<Double> everyNth = IntStream.range(0, 48).filter(i -> i % n == 0).mapToObj(all.frames()::get).toList();
            assertEquals(everyNth, s.frames(), "subsample " + n + " scores frames 0, n, 2n, ...");
        }
        assertNothingLeft(tmp);
    }
}
