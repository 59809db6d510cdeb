package io.vmafx.core.score;

/**
 * Hears how far a {@link Scorer} has got.
 *
 * <p>Scorers call {@link #update} on the thread that called {@link Scorer#score(ScoreRequest)}, in order,
 * with a non-decreasing frame count, and {@link #done()} exactly once when scoring ends, whether it
 * succeeded, failed or was interrupted. A listener must be quick: the scorer reads the tool's output
 * between calls. {@link TerminalProgress} draws a progress line for the CLI; the executor may pass its own
 * to publish job progress; {@link #NONE} ignores everything.
 */
@FunctionalInterface
public interface ProgressListener {

    /** Ignores all progress. */
    ProgressListener NONE = (framesDone, fps) -> { };

    /**
     * Frames scored so far.
     *
     * @param framesDone frames compared so far (never decreases during one scoring run)
     * @param fps        the tool's current processing speed in frames per second; 0 when it has none yet
     */
    void update(long framesDone, double fps);

    /** Scoring ended (successfully or not); called once, after the last {@link #update}. */
    default void done() {
    }
}
