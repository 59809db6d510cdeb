package io.vmafx.core.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reference clip and a degraded copy made with the node's ffmpeg, for the demo and the bypass bench:
 * {@code testsrc2} at 25 fps in yuv420p, and the same down-scaled to a quarter, scaled back and with noise added
 * (a clearly visible loss). In {@code .y4m} both are raw frames, so reading them is real work.
 */
public final class Clips {

    /** Frames per second of the clips. */
    public static final int FPS = 25;
    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");

    private Clips() {
    }

    /**
     * A clip size: {@code WxH}, both even, from 16x16 to 7680x4320. (yuv420p with an odd side gives a degraded copy
     * that libvmaf refuses to compare: "Width and height of input videos must be same".)
     */
    public record Size(int width, int height) {
        public Size {
            if (width < 16 || height < 16 || width > 7680 || height > 4320 || width % 2 != 0 || height % 2 != 0) {
                throw new IllegalArgumentException("a clip size is WxH, both even, from 16x16 to 7680x4320, got " + width + "x" + height);
            }
        }

        /** @throws IllegalArgumentException when {@code text} is not {@code WxH} or out of range */
        public static Size parse(String text) {
            Matcher m = SIZE.matcher(text == null ? "" : text.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("a clip size is WxH (e.g. 1280x720), got '" + text + "'");
            }
            return new Size(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }

        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    /**
     * The size of a yuv420p {@code .y4m} of {@code seconds} at {@link #FPS}: a stream header of at most 100 bytes,
     * then per frame {@code FRAME\n}, the luma plane and two chroma planes of half the width and height, rounded up.
     */
    public static long y4mBytes(Size size, int seconds) {
        long w = size.width();
        long h = size.height();
        long frame = w * h + 2 * ((w + 1) / 2) * ((h + 1) / 2) + "FRAME\n".length();
        return 100 + frame * FPS * seconds;
    }

    /**
     * Makes {@code reference} ({@code seconds} of testsrc2 at {@code size}) and {@code degraded} from it.
     *
     * @throws IOException with one line: ffmpeg cannot run, or what it said when it failed
     */
    public static void make(String ffmpeg, Path reference, Path degraded, Size size, int seconds)
            throws IOException, InterruptedException {
        ffmpeg(ffmpeg, "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=" + FPS + ":duration=" + seconds,
                "-pix_fmt", "yuv420p", reference.toString());
        int w = size.width() / 4 / 2 * 2;
        int h = size.height() / 4 / 2 * 2;
        ffmpeg(ffmpeg, "-i", reference.toString(), "-vf",
                "scale=" + w + ":" + h + ",scale=" + size.width() + ":" + size.height() + ",noise=alls=12:allf=t",
                "-pix_fmt", "yuv420p", degraded.toString());
    }

    private static void ffmpeg(String ffmpeg, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IOException("cannot run ffmpeg at " + ffmpeg + " (set VMAFX_FFMPEG; scripts/setup.sh installs one): "
                    + e.getMessage(), e);
        }
        try {
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new IOException("ffmpeg failed making a clip: " + err.lines().reduce((a, b) -> b).orElse("exit code " + p.exitValue()));
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
