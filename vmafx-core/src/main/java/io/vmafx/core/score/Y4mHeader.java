package io.vmafx.core.score;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The stream header of a YUV4MPEG2 ({@code .y4m}) file, as far as the byte layout of its frames goes: every frame
 * is {@code FRAME\n} and one picture of {@link #frameBytes()}. ffmpeg drops a partial last frame without a word, so
 * the scorer checks a y4m's size against this layout itself (see {@link InputBytes}).
 *
 * @param headerBytes the header line's length, its newline included
 * @param width       frame width
 * @param height      frame height
 * @param colorspace  the {@code C} parameter ({@code 420jpeg} when absent, as the format says)
 */
record Y4mHeader(int headerBytes, int width, int height, String colorspace) {

    /** The longest header line accepted; real ones are under 100 bytes. */
    static final int MAX_HEADER = 1024;
    private static final String MAGIC = "YUV4MPEG2 ";
    private static final int FRAME_MARKER = "FRAME\n".length();

    /** The header at the start of {@code head}, or empty when it is not a y4m header this layout check knows. */
    static Optional<Y4mHeader> parse(byte[] head) {
        String text = new String(head, 0, Math.min(head.length, MAX_HEADER), StandardCharsets.US_ASCII);
        int end = text.indexOf('\n');
        if (!text.startsWith(MAGIC) || end < 0) {
            return Optional.empty();
        }
        int width = 0;
        int height = 0;
        String colorspace = "420jpeg";
        for (String token : text.substring(MAGIC.length(), end).split(" ")) {
            if (token.isEmpty()) {
                continue;
            }
            String value = token.substring(1);
            try {
                switch (token.charAt(0)) {
                    case 'W' -> width = Integer.parseInt(value);
                    case 'H' -> height = Integer.parseInt(value);
                    case 'C' -> colorspace = value;
                    default -> {
                        // frame rate, interlacing, aspect, comments: no bearing on the byte layout
                    }
                }
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        Y4mHeader h = new Y4mHeader(end + 1, width, height, colorspace);
        return width > 0 && height > 0 && h.pictureBytes() > 0 ? Optional.of(h) : Optional.empty();
    }

    /** Bytes of one picture, or 0 for a colorspace this check does not know. */
    long pictureBytes() {
        long luma = (long) width * height;
        long chroma420 = (long) ((width + 1) / 2) * ((height + 1) / 2);
        long chroma422 = (long) ((width + 1) / 2) * height;
        String c = colorspace;
        int bytesPerSample = c.contains("p10") || c.contains("p12") || c.contains("p16") || c.contains("p9")
                || c.contains("p14") ? 2 : 1;
        String base = c.replaceAll("p\\d+$", "");
        long samples = switch (base) {
            case "420", "420jpeg", "420paldv", "420mpeg2" -> luma + 2 * chroma420;
            case "422" -> luma + 2 * chroma422;
            case "444" -> 3 * luma;
            case "444alpha" -> 4 * luma;
            case "mono" -> luma;
            default -> 0;
        };
        return samples * bytesPerSample;
    }

    /**
     * ffmpeg's name for the pixel format, when the colorspace is one the scorer reads as it is ({@code 420jpeg} and
     * the other 4:2:0 sitings are {@code yuv420p}, {@code 420p10} is {@code yuv420p10le}, {@code mono} is
     * {@code gray}); empty for anything else (then ffprobe is asked).
     */
    Optional<String> pixFmt() {
        var m = java.util.regex.Pattern.compile("(420|422|444|mono)(jpeg|paldv|mpeg2)?(?:p(10|12))?").matcher(colorspace);
        if (!m.matches()) {
            return Optional.empty();
        }
        String depth = m.group(3) == null ? "" : m.group(3) + "le";
        return Optional.of(m.group(1).equals("mono") ? "gray" + depth : "yuv" + m.group(1) + "p" + depth);
    }

    /** What a decoder makes of this file's frames, when {@link #pixFmt()} knows its format. */
    Optional<VideoFormat> videoFormat() {
        return pixFmt().map(f -> new VideoFormat(width, height, f));
    }

    /** Bytes of one frame: its marker and picture (frames with parameters are not counted on). */
    long frameBytes() {
        return FRAME_MARKER + pictureBytes();
    }
}
