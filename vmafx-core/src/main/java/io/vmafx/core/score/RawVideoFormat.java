package io.vmafx.core.score;

import java.util.Objects;
import java.util.Set;

/**
 * The layout of a headerless raw video file (.yuv): what a scorer must be told because the file does not
 * say it. Used in {@link ScoreRequest#raw()} for the inputs flagged raw; the CLI builds it from its
 * {@code --width/--height/--pix-fmt} options.
 *
 * @param width  frame width in pixels, positive
 * @param height frame height in pixels, positive
 * @param pixFmt the pixel format, in ffmpeg's spelling: one of {@link #PIXEL_FORMATS}
 */
public record RawVideoFormat(int width, int height, String pixFmt) {

    /** The pixel formats accepted: planar YUV 4:2:0/4:2:2/4:4:4 at 8, 10 and 12 bits (little-endian), and gray. */
    public static final Set<String> PIXEL_FORMATS = Set.of(
            "yuv420p", "yuv422p", "yuv444p", "yuv420p10le", "yuv422p10le", "yuv444p10le",
            "yuv420p12le", "yuv422p12le", "yuv444p12le", "gray", "gray10le", "gray12le");

    /**
     * @throws IllegalArgumentException if a size is not positive or {@code pixFmt} is not one of
     *                                  {@link #PIXEL_FORMATS}; the message names the bad value
     */
    public RawVideoFormat {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("raw video size must be positive, got " + width + "x" + height);
        }
        Objects.requireNonNull(pixFmt, "pixFmt");
        if (!PIXEL_FORMATS.contains(pixFmt)) {
            throw new IllegalArgumentException("unsupported raw pixel format '" + pixFmt + "'; use one of "
                    + String.join(", ", PIXEL_FORMATS.stream().sorted().toList()));
        }
    }

    /** Bits per sample: 10 or 12 for the {@code *10le} and {@code *12le} formats, else 8. */
    public int bitDepth() {
        return pixFmt.endsWith("12le") ? 12 : pixFmt.endsWith("10le") ? 10 : 8;
    }

    /** {@code "420"}, {@code "422"}, {@code "444"} or {@code "400"} (gray): the chroma layout. */
    public String chroma() {
        if (pixFmt.startsWith("yuv420")) {
            return "420";
        }
        if (pixFmt.startsWith("yuv422")) {
            return "422";
        }
        if (pixFmt.startsWith("yuv444")) {
            return "444";
        }
        return "400";
    }

    /** Bytes in one frame of this format. */
    public long frameBytes() {
        long luma = (long) width * height;
        long chromaPlane = switch (chroma()) {
            case "420" -> (long) ((width + 1) / 2) * ((height + 1) / 2);
            case "422" -> (long) ((width + 1) / 2) * height;
            case "444" -> luma;
            default -> 0;
        };
        return (luma + 2 * chromaPlane) * (bitDepth() > 8 ? 2 : 1);
    }

    /** The decoded format of a file in this layout. */
    public VideoFormat videoFormat() {
        return new VideoFormat(width, height, pixFmt);
    }

    /** {@code WIDTHxHEIGHT}, as ffmpeg's {@code -video_size} wants it. */
    public String size() {
        return width + "x" + height;
    }
}
