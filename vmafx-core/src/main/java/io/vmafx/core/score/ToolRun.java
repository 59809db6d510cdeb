package io.vmafx.core.score;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One run of a scorer's tool to its end: stdout and stderr drained on their own threads (stdout lines to a
 * callback, stderr kept), the process killed and reaped if the calling thread is interrupted. Used by
 * {@link LibvmafScorer} for its probe, its scoring run and its diagnostics, and by {@link VmafCliScorer}.
 *
 * @param exit   the tool's exit code
 * @param stderr the last {@link #KEEP_LINES} lines of stderr
 * @param stdout the last {@link #KEEP_LINES} lines of stdout
 */
record ToolRun(int exit, List<String> stderr, List<String> stdout) {

    static final int KEEP_LINES = 60;
    /** How often {@code onTick} runs while the tool does. */
    static final long TICK_MILLIS = 100;

    /**
     * Runs {@code command}.
     *
     * @param notFound the message when the executable cannot be started
     * @param onStdout told each stdout line, on the drainer thread
     * @throws InterruptedException the calling thread was interrupted; the tool is dead and reaped by then
     */
    static ToolRun run(List<String> command, String notFound, Consumer<String> onStdout)
            throws ScoringException, InterruptedException {
        return run(command, notFound, onStdout, () -> { });
    }

    /**
     * Like {@link #run(List, String, Consumer)}, running {@code onTick} on the calling thread about every
     * {@link #TICK_MILLIS} while the tool runs (where a scorer reports progress); its exceptions are ignored.
     */
    static ToolRun run(List<String> command, String notFound, Consumer<String> onStdout, Runnable onTick)
            throws ScoringException, InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before starting " + command.get(0));
        }
        Process process = ChildProcess.start(command, notFound);
        String name = "vmafx-" + java.nio.file.Path.of(command.get(0)).getFileName();
        OutputDrainer err = new OutputDrainer(process.getErrorStream(), name + "-stderr", KEEP_LINES, l -> { }, () -> { });
        OutputDrainer out = new OutputDrainer(process.getInputStream(), name + "-stdout", KEEP_LINES, onStdout, () -> { });
        boolean exited = false;
        int exit;
        try {
            err.start();
            out.start();
            while (!process.waitFor(TICK_MILLIS, TimeUnit.MILLISECONDS)) {
                try {
                    onTick.run();
                } catch (RuntimeException ignored) {
                    // A failing listener must not end the run, as a failing stdout callback does not.
                }
            }
            exit = process.exitValue();
            exited = true;
        } finally {
            if (!exited) {
                ChildProcess.terminate(process);
            }
            err.awaitEnd(ChildProcess.GRACE_MILLIS);
            out.awaitEnd(ChildProcess.GRACE_MILLIS);
        }
        if (Thread.interrupted()) {
            // Cancelled while the tool finished (a progress listener may interrupt its own thread): cancelled wins.
            throw new InterruptedException("interrupted while " + command.get(0) + " ran");
        }
        return new ToolRun(exit, err.tail(), out.tail());
    }
}
