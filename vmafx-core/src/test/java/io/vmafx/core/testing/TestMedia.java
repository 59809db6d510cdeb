package io.vmafx.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real tools tests score and encode with, and the clips they make: the static ffprobe with libvmaf 2.3 that
 * scripts/setup.sh installs ({@code VMAFX_FFPROBE}, else {@code ${vmafx.root}/.tools/ffprobe/ffprobe}), which the
 * node scores with (its VMAF models are built in), and the static ffmpeg 4.1 ({@code VMAFX_FFMPEG}, else
 * {@code ${vmafx.root}/.tools/ffmpeg/ffmpeg}), which only encodes the tests' fixtures. A missing tool is a test
 * failure that says how to get it, never a silent skip.
 */
public final class TestMedia {

    /** Frames in {@link #referenceClip}: 2 s at 25 fps. */
    public static final int FRAMES = 50;

    private TestMedia() {
    }

    /** The repository's root ({@code vmafx.root}, which the build sets). */
    public static Path root() {
        return Path.of(System.getProperty("vmafx.root", ".")).toAbsolutePath().normalize();
    }

    /** The ffprobe with libvmaf 2.3 that the node scores with. */
    public static String ffprobe() {
        return tool("VMAFX_FFPROBE", ".tools/ffprobe/ffprobe", "ffprobe with libvmaf");
    }

    /**
     * The ffmpeg 4.1 that makes the tests' clips (libx264, libx265, libaom-av1 with {@code -strict experimental}).
     * Tests do not score with it: its libvmaf 1.3 reads 10-bit video wrongly.
     */
    public static String ffmpeg() {
        return tool("VMAFX_FFMPEG", ".tools/ffmpeg/ffmpeg", "ffmpeg (the tests' encoder)");
    }

    private static String tool(String variable, String underRoot, String what) {
        String env = System.getenv(variable);
        Path p = env != null && !env.isBlank() ? Path.of(env) : root().resolve(underRoot);
        if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
            throw new AssertionError("no " + what + " at " + p + ": run scripts/setup.sh (it installs one there), or set "
                    + variable);
        }
        return p.toString();
    }

    /** A 2 s 320x240 25 fps test pattern. */
    public static Path referenceClip(Path out) throws IOException, InterruptedException {
        return run(out, "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-pix_fmt", "yuv420p", out.toString());
    }

    /** {@code reference} down-scaled to a quarter and back: a clearly lower score. */
    public static Path degradedCopy(Path reference, Path out) throws IOException, InterruptedException {
        return run(out, "-i", reference.toString(), "-vf", "scale=80:60,scale=320:240", "-pix_fmt", "yuv420p", out.toString());
    }

    /** A {@code width}x{@code height} 25 fps test pattern of {@code frames} frames; its directory is created. */
    public static Path testPattern(Path out, int width, int height, int frames) throws IOException, InterruptedException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        return run(out, "-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=25", "-frames:v",
                Integer.toString(frames), "-pix_fmt", "yuv420p", out.toString());
    }

    /** {@code reference} ({@code width}x{@code height}) down-scaled to a quarter and back; its directory is created. */
    public static Path degradedCopy(Path reference, Path out, int width, int height) throws IOException, InterruptedException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        return run(out, "-i", reference.toString(), "-vf", "scale=" + width / 4 + ":" + height / 4 + ",scale=" + width + ":" + height,
                "-pix_fmt", "yuv420p", out.toString());
    }

    /** Runs the encoder ({@link #ffmpeg()}) with {@code args}; fails the test with its message when it fails. */
    public static Path run(Path out, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError("ffmpeg failed: " + cmd + "\n" + output);
        }
        return out;
    }
}
