package io.vmafx.core.score;

/**
 * Which input of a scoring job something is about.
 *
 * <p>{@link ScoringException#side()} carries one when a failure can be pinned on one input (for instance the
 * file or URL could not be opened), so the executor can blame the right asset in its result.
 */
public enum InputSide {
    /** The pristine source the distorted video is compared against. */
    REFERENCE,
    /** The encoded/processed video whose quality is measured. */
    DISTORTED;

    /** {@code "reference"} or {@code "distorted"}, for messages. */
    public String label() {
        return this == REFERENCE ? "reference" : "distorted";
    }
}
