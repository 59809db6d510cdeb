package io.vmafx.core.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reference clip and a degraded copy, made in Java so the demo and the benches need no encoder: a moving
 * test pattern (gradients, a sweeping bar, bouncing squares and fine texture) at 25 fps in yuv420p, and the same
 * averaged down to a quarter of its size, scaled back and with deterministic noise added (a clearly visible loss).
 * In {@code .y4m} both are raw frames, so reading them is real work.
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
     * Makes {@code reference} ({@code seconds} of the pattern at {@code size}) and {@code degraded} from it.
     *
     * @throws IOException if a file cannot be written
     */
    public static void make(Path reference, Path degraded, Size size, int seconds) throws IOException {
        int w = size.width();
        int h = size.height();
        byte[] y = new byte[w * h];
        byte[] u = new byte[(w / 2) * (h / 2)];
        byte[] v = new byte[u.length];
        byte[] dy = new byte[y.length];
        String header = "YUV4MPEG2 W" + w + " H" + h + " F" + FPS + ":1 Ip A1:1 C420jpeg\n";
        try (OutputStream ref = new BufferedOutputStream(Files.newOutputStream(reference), 1 << 20);
             OutputStream dis = new BufferedOutputStream(Files.newOutputStream(degraded), 1 << 20)) {
            ref.write(header.getBytes(StandardCharsets.US_ASCII));
            dis.write(header.getBytes(StandardCharsets.US_ASCII));
            long noise = 0x9E3779B97F4A7C15L;
            for (int n = 0; n < FPS * seconds; n++) {
                pattern(n, w, h, y, u, v);
                noise = degrade(y, dy, w, h, noise);
                writeFrame(ref, y, u, v);
                writeFrame(dis, dy, u, v);
            }
        }
    }

    /** Frame {@code n} of the pattern. */
    private static void pattern(int n, int w, int h, byte[] y, byte[] u, byte[] v) {
        int bar = (n * 7) % w;
        int sq = Math.max(8, Math.min(w, h) / 6);
        int sx = Math.abs((n * 5) % (2 * (w - sq)) - (w - sq));
        int sy = Math.abs((n * 3) % (2 * (h - sq)) - (h - sq));
        for (int row = 0; row < h; row++) {
            for (int col = 0; col < w; col++) {
                int value = (col * 160 / w) + (row * 64 / h) + 16;
                if (Math.abs(col - bar) < 6) {
                    value = 235;
                }
                if (col >= sx && col < sx + sq && row >= sy && row < sy + sq) {
                    value = ((col - sx) / 4 + (row - sy) / 4) % 2 == 0 ? 40 : 220;
                }
                value += ((col ^ row) & 7) * 2; // fine texture, so detail can be lost
                y[row * w + col] = (byte) Math.min(255, value);
            }
        }
        int cw = w / 2;
        for (int row = 0; row < h / 2; row++) {
            for (int col = 0; col < cw; col++) {
                u[row * cw + col] = (byte) (128 + (col * 64 / cw) - 32);
                v[row * cw + col] = (byte) (128 + ((row + n) % (h / 2)) * 48 / (h / 2) - 24);
            }
        }
    }

    /** {@code y} averaged over 4x4 blocks, expanded back and with noise: into {@code out}; returns the noise state. */
    private static long degrade(byte[] y, byte[] out, int w, int h, long state) {
        for (int by = 0; by < h; by += 4) {
            for (int bx = 0; bx < w; bx += 4) {
                int sum = 0;
                int count = 0;
                for (int row = by; row < Math.min(h, by + 4); row++) {
                    for (int col = bx; col < Math.min(w, bx + 4); col++) {
                        sum += y[row * w + col] & 0xff;
                        count++;
                    }
                }
                int mean = sum / count;
                for (int row = by; row < Math.min(h, by + 4); row++) {
                    for (int col = bx; col < Math.min(w, bx + 4); col++) {
                        state ^= state << 13;
                        state ^= state >>> 7;
                        state ^= state << 17;
                        int noisy = mean + (int) ((state >>> 40) % 25) - 12;
                        out[row * w + col] = (byte) Math.max(0, Math.min(255, noisy));
                    }
                }
            }
        }
        return state;
    }

    private static void writeFrame(OutputStream out, byte[] y, byte[] u, byte[] v) throws IOException {
        out.write("FRAME\n".getBytes(StandardCharsets.US_ASCII));
        out.write(y);
        out.write(u);
        out.write(v);
    }
}
