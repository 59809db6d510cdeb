package io.vmafx.core.score;

/**
 * What an input decodes to: frame size and pixel format (ffmpeg's name), as the scorer saw it.
 */
public record VideoFormat(int width, int height, String pixFmt) {

    /** {@code WIDTHxHEIGHT pixfmt}. */
    @Override
    public String toString() {
        return width + "x" + height + " " + pixFmt;
    }

    /** {@code WIDTHxHEIGHT}. */
    public String size() {
        return width + "x" + height;
    }

    /** Whether {@code other} has the same frame size. */
    public boolean sameSize(VideoFormat other) {
        return width == other.width && height == other.height;
    }
}
