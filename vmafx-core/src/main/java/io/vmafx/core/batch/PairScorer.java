package io.vmafx.core.batch;

import java.util.Map;

/**
 * Scores one pair for {@link Batch}, from several threads at once: {@link LocalScorer} in this process,
 * {@link FleetScorer} through a fleet's job API.
 */
public interface PairScorer {

    /** A pair that failed: the one-line reason, as {@code score} prints it. */
    final class Failed extends Exception {
        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message);
        }
    }

    /** The result as {@code score --json} prints it. Interrupted: the job is cancelled (its ffmpeg killed, or DELETEd). */
    Map<String, Object> score(PairJob job) throws Failed, InterruptedException;
}
