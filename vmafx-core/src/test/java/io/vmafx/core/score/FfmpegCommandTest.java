package io.vmafx.core.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** How {@link FfmpegLibvmafScorer} builds its command line and reads ffmpeg's output, without running ffmpeg. */
class FfmpegCommandTest {

    @Test
    void filterValuesAreEscapedForBothParsingLevels() {
        assertEquals("\\'/m/vmaf.pkl\\'", FfmpegLibvmafScorer.escapeFilterValue("/m/vmaf.pkl"));
        // level 1: 'it'\''s a, model:dir'  ->  level 2: every \ ' [ ] , ; escaped.
        assertEquals("\\'/t/it\\'\\\\\\'\\'s a\\, model:dir/v.pkl\\'",
                FfmpegLibvmafScorer.escapeFilterValue("/t/it's a, model:dir/v.pkl"));
        assertEquals("\\'/a\\[b\\]\\;c\\\\d\\'", FfmpegLibvmafScorer.escapeFilterValue("/a[b];c\\d"));
    }

    @Test
    void inputArgumentsKeepUrlsAndAbsolutePathsAndProtectRelativeOnes() {
        assertEquals("/abs/x:y.y4m", FfmpegLibvmafScorer.inputArgument("/abs/x:y.y4m"));
        assertEquals("http://u:p@h/x.y4m", FfmpegLibvmafScorer.inputArgument("http://u:p@h/x.y4m"));
        assertEquals("clip.y4m", FfmpegLibvmafScorer.inputArgument("clip.y4m"));
        assertEquals("./take:2.y4m", FfmpegLibvmafScorer.inputArgument("take:2.y4m"));
        assertEquals("./-odd.y4m", FfmpegLibvmafScorer.inputArgument("-odd.y4m"));
    }

    @Test
    void commandPutsDistortedFirstAndRawOptionsBeforeTheirInput() {
        FfmpegLibvmafScorer scorer = new FfmpegLibvmafScorer("/opt/ffmpeg", 3);
        ScoreRequest request = ScoreRequest.of("/r.y4m", "/d.yuv", Path.of("/m/v.pkl"))
                .withRaw(InputSide.DISTORTED, new RawVideoFormat(64, 48, "yuv420p10le"));
        List<String> command = scorer.command(request, "/d.yuv", "/r.y4m", Path.of("/tmp/x/vmaf.json"));
        assertEquals(List.of("/opt/ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-progress", "pipe:1",
                "-f", "rawvideo", "-pix_fmt", "yuv420p10le", "-video_size", "64x48", "-i", "/d.yuv",
                "-i", "/r.y4m",
                "-lavfi", "[0:v]settb=AVTB,setpts=N/TB[dis];[1:v]settb=AVTB,setpts=N/TB[ref];[dis][ref]libvmaf="
                        + "model_path=\\'/m/v.pkl\\':log_fmt=json:log_path=\\'/tmp/x/vmaf.json\\':n_threads=3:shortest=1",
                "-an", "-sn", "-dn", "-f", "null", "-"), command);
    }

    @Test
    void constructorRejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new FfmpegLibvmafScorer("ffmpeg", -1));
        assertThrows(IllegalArgumentException.class, () -> new FfmpegLibvmafScorer(" ", 1));
        assertEquals("ffmpeg", new FfmpegLibvmafScorer("ffmpeg", 0).name());
    }

    @Test
    void inputErrorsArePinnedOnTheirSide() {
        FfmpegDiagnostics d = new FfmpegDiagnostics("/d.y4m", "/r.y4m");
        feed(d, "Input #0, yuv4mpegpipe, from '/d.y4m':", "  Duration: 00:00:02.00",
                "/r.y4m: No such file or directory");
        assertEquals(InputSide.REFERENCE, d.inputErrorSide());
        assertEquals("/r.y4m: No such file or directory", d.inputError());

        FfmpegDiagnostics same = new FfmpegDiagnostics("/x.y4m", "/x.y4m");
        feed(same, "/x.y4m: Permission denied");
        assertEquals(InputSide.DISTORTED, same.inputErrorSide(), "input #0 (distorted) opens first");

        FfmpegDiagnostics late = new FfmpegDiagnostics("/d.y4m", "/r.y4m");
        feed(late, "Stream mapping:", "/d.y4m: corrupt frame");
        assertNull(late.inputError(), "after the inputs are open, a line naming one is no open failure");
    }

    @Test
    void noLibvmafFilterIsRecognised() {
        FfmpegDiagnostics d = new FfmpegDiagnostics("/d", "/r");
        feed(d, "[AVFilterGraph @ 0x180ec840] No such filter: 'libvmaf'", "Error initializing complex filters.");
        assertEquals(true, d.noLibvmaf());
    }

    @Test
    void lastMeaningfulLineSkipsFfmpegsGenericFollowUps() {
        List<String> tail = List.of(
                "Stream mapping:",
                "  Stream #0:0 (rawvideo) -> settb",
                "[Parsed_libvmaf_4 @ 0x18a0d200] Width and height of input videos must be same.",
                "[Parsed_libvmaf_4 @ 0x18a0d200] Failed to configure input pad on Parsed_libvmaf_4",
                "Error reinitializing filters!",
                "Failed to inject frame into filter network: Invalid argument",
                "Error while processing the decoded data for stream #1:0",
                "Conversion failed!");
        assertEquals("[Parsed_libvmaf_4] Width and height of input videos must be same.",
                FfmpegDiagnostics.lastMeaningful(tail));
        assertNull(FfmpegDiagnostics.lastMeaningful(List.of("Conversion failed!", "")));
    }

    @Test
    void libvmafErrorsAreFoundAmongProgressLines() {
        List<String> stdout = List.of("frame=50", "fps=0.00", "progress=end", "Start calculating VMAF score...",
                "Input model at /m.pkl cannot be read successfully.",
                "Caught VmafException: Error loading model (.pkl): Trouble reading the file:/m.pkl");
        assertEquals("Caught VmafException: Error loading model (.pkl): Trouble reading the file:/m.pkl",
                FfmpegDiagnostics.libvmafError(stdout));
        assertNull(FfmpegDiagnostics.libvmafError(List.of("frame=50", "progress=end",
                "Start calculating VMAF score...", "Exec FPS: 389.186521", "VMAF score = 60.954493")));
    }

    @Test
    void libvmafLogIsReadInFrameOrder() throws Exception {
        String log = """
                {"version":"1.3.7","frames":[
                  {"frameNum":1,"metrics":{"adm2":0.9,"vmaf":80.5}},
                  {"frameNum":0,"metrics":{"adm2":0.9,"vmaf":70.25}}]}""";
        assertEquals(List.of(70.25, 80.5), FfmpegLibvmafScorer.parseLibvmafLog(log));
        ScoringException e = assertThrows(ScoringException.class,
                () -> FfmpegLibvmafScorer.parseLibvmafLog("{\"frames\":[{\"frameNum\":0,\"metrics\":{}}]}"));
        assertEquals("libvmaf's log: frame 0 has no VMAF score", e.getMessage());
        assertThrows(ScoringException.class, () -> FfmpegLibvmafScorer.parseLibvmafLog("not json"));
    }

    private static void feed(FfmpegDiagnostics d, String... lines) {
        for (String line : lines) {
            d.acceptStderr(line);
        }
    }
}
