package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real tools the tests run, and clips made with them: the static ffprobe with libvmaf 2.3 the node scores with,
 * and the static ffmpeg 4.1 the tests encode clips with, both as {@code scripts/setup.sh} installs them (or
 * {@code VMAFX_FFPROBE}, {@code VMAFX_FFMPEG}). A missing tool fails the test.
 */
final class Clips {

    /** Frames in a {@link #reference} clip: 2 s at 25 fps. */
    static final int FRAMES = 50;

    private Clips() {
    }

    static String ffmpeg() {
        String env = System.getenv("VMAFX_FFMPEG");
        Path p = env != null && !env.isBlank() ? Path.of(env) : Node.ROOT.resolve(".tools/ffmpeg/ffmpeg");
        if (!Files.isExecutable(p)) {
            fail("no ffmpeg with libvmaf at " + p + ": run scripts/setup.sh (or set VMAFX_FFMPEG)");
        }
        return p.toString();
    }

    /** The node's scorer: the static ffprobe with libvmaf 2.3 that scripts/setup.sh installs (or {@code VMAFX_FFPROBE}). */
    static String ffprobe() {
        String env = System.getenv("VMAFX_FFPROBE");
        Path p = env != null && !env.isBlank() ? Path.of(env) : Node.ROOT.resolve(".tools/ffprobe/ffprobe");
        if (!Files.isExecutable(p)) {
            fail("no ffprobe with libvmaf at " + p + ": run scripts/setup.sh (or set VMAFX_FFPROBE)");
        }
        return p.toString();
    }

    /** A 2 s 320x240 25 fps test pattern. */
    static Path reference(Path out) {
        return testPattern(out, 320, 240, 2);
    }

    /** {@code reference} down-scaled to a quarter and back: a clearly lower score. */
    static Path degraded(Path reference, Path out) {
        return degraded(reference, out, 320, 240);
    }

    /**
     * A {@code width}x{@code height} 25 fps test pattern of {@code seconds} (25 frames a second), as y4m when
     * {@code out} ends with {@code .y4m}; its parent directories are created.
     */
    static Path testPattern(Path out, int width, int height, int seconds) {
        mkdirs(out);
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=25:duration=" + seconds,
                "-pix_fmt", "yuv420p", out.toString());
        return out;
    }

    /** {@code reference} ({@code width}x{@code height}) down-scaled to a quarter and back: a clearly lower score. */
    static Path degraded(Path reference, Path out, int width, int height) {
        mkdirs(out);
        ffmpeg("-i", reference.toString(), "-vf", "scale=" + width / 4 + ":" + height / 4 + ",scale=" + width + ":" + height,
                "-pix_fmt", "yuv420p", out.toString());
        return out;
    }

    private static void mkdirs(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new AssertionError("cannot create the directory of " + file + ": " + e, e);
        }
    }

    /**
     * Per-frame VMAF of the pair from the bare ffprobe/libvmaf command (distorted first, then reference, as libvmaf
     * wants; no node code involved), the log written in {@code logDir}. The paths must need no escaping.
     */
    static List<Double> bareFrameScores(Path reference, Path distorted, Path logDir) throws IOException {
        Path log = logDir.resolve("bare-vmaf.json");
        run(List.of(ffprobe(), "-hide_banner", "-v", "error", "-f", "lavfi", "-i", "movie=" + distorted
                + ",settb=1,setpts=N[d];movie=" + reference + ",settb=1,setpts=N[r];[d][r]libvmaf=log_fmt=json:log_path=" + log
                + "[out0]", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv"));
        Map<String, Object> root = JSON.std.mapFrom(Files.readString(log, StandardCharsets.UTF_8));
        List<Double> scores = new ArrayList<>();
        for (Object frame : (List<?>) root.get("frames")) {
            Object vmaf = ((Map<?, ?>) ((Map<?, ?>) frame).get("metrics")).get("vmaf");
            scores.add(((Number) vmaf).doubleValue());
        }
        return scores;
    }

    static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    /** Runs ffmpeg with {@code args}; fails the test with ffmpeg's output when it fails. */
    static void ffmpeg(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"));
        cmd.addAll(List.of(args));
        run(cmd);
    }

    private static void run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(Node.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(cmd.get(0) + " timed out: " + cmd);
            }
            if (p.exitValue() != 0) {
                fail(cmd.get(0) + " failed: " + cmd + "\n" + output);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e + " (run scripts/setup.sh)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
