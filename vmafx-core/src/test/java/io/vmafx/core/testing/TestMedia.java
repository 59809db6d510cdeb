package io.vmafx.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real tools and clips tests score with: the static ffmpeg with libvmaf that scripts/setup.sh installs
 * (or {@code VMAFX_FFMPEG}) and the shared VMAF model (or {@code VMAFX_VMAF_MODEL}). A missing tool is a
 * test failure that says how to get it, never a silent skip.
 */
public final class TestMedia {

    /** Frames in {@link #referenceClip}: 2 s at 25 fps. */
    public static final int FRAMES = 50;

    private TestMedia() {
    }

    public static Path root() {
        return Path.of(System.getProperty("vmafx.root", ".")).toAbsolutePath().normalize();
    }

    public static String ffmpeg() {
        String env = System.getenv("VMAFX_FFMPEG");
        Path p = env != null && !env.isBlank() ? Path.of(env) : root().resolve(".tools/ffmpeg/ffmpeg");
        if (!Files.isExecutable(p)) {
            throw new AssertionError("no ffmpeg with libvmaf at " + p + ": run scripts/setup.sh (or set VMAFX_FFMPEG)");
        }
        return p.toString();
    }

    public static Path model() {
        String env = System.getenv("VMAFX_VMAF_MODEL");
        Path p = env != null && !env.isBlank() ? Path.of(env) : root().resolve("../shared/vmaf/vmaf_v0.6.1.pkl").normalize();
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("no VMAF model at " + p + ": set VMAFX_VMAF_MODEL to vmaf_v0.6.1.pkl (with its .pkl.model)");
        }
        return p;
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

    /** Runs ffmpeg with {@code args}; fails the test with ffmpeg's message when it fails. */
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
