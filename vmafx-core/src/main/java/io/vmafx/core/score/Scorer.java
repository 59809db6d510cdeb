package io.vmafx.core.score;

/**
 * Computes VMAF for a reference/distorted pair by running an external tool.
 *
 * <p>Implementations: {@link LibvmafScorer} ({@code "libvmaf"}, libvmaf 2.3 through ffprobe's lavfi, any input
 * ffmpeg can open, including URLs) and {@link VmafCliScorer} ({@code "vmaf"}, Netflix's vmaf tool, local .y4m/.yuv
 * only). The
 * executor calls {@link #score} on its job thread, the CLI on its main thread. Instances hold only their
 * configuration, so one instance may score several requests at once from different threads.
 *
 * <p>Cancellation is by interrupting the calling thread: the scorer then kills the tool ({@code destroy},
 * then {@code destroyForcibly} after about 2 s), waits for it to exit, deletes its temporary files and throws
 * {@link InterruptedException}.
 */
public interface Scorer {

    /** The short name users select it by and that {@link VmafScores#scorer()} reports. */
    String name();

    /**
     * Why this scorer cannot run on this machine (no build for its architecture, the tool missing), or empty. The
     * executor asks before each job, so such a job fails in one line before any input is prepared.
     */
    default java.util.Optional<String> unavailable() {
        return java.util.Optional.empty();
    }

    /**
     * Scores {@code request}, reporting progress to {@link ScoreRequest#progress()}; blocks until done.
     *
     * @throws ScoringException     if the tool is missing or unfit, the model is unreadable, an input cannot be
     *                              opened or read (then {@link ScoringException#side()} names it when known), no
     *                              frame was scored, or the tool failed; the message is one line without URL
     *                              credentials
     * @throws InterruptedException if the calling thread was interrupted; the tool has been killed and its
     *                              temporary files removed by the time this is thrown
     */
    VmafScores score(ScoreRequest request) throws ScoringException, InterruptedException;
}
