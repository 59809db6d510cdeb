package io.vmafx.core.score;

/**
 * How many frames each input held and how many were scored.
 *
 * @param reference frames the reference decoded to
 * @param distorted frames the distorted video decoded to
 * @param compared  frame pairs compared (the shorter input's count when common frames were allowed)
 * @param scored    frames with scores: {@code compared}, or fewer with subsampling
 */
public record FrameCounts(long reference, long distorted, long compared, long scored) {

    /** Whether the inputs have the same number of frames. */
    public boolean equalInputs() {
        return reference == distorted;
    }
}
