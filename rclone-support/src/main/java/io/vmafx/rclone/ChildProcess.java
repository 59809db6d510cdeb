package io.vmafx.rclone;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A child process the node owns: started with stdin from {@code /dev/null}, both output streams drained
 * continuously (the last lines of stderr kept for error messages), and stopped for sure by {@link #stop}.
 *
 * <p>The providers start {@code rclone serve http}, {@code rclone mount} and {@code fusermount3} through it.
 * Thread-safe.
 */
public final class ChildProcess {

    private static final System.Logger LOG = System.getLogger(ChildProcess.class.getName());
    /** rclone starts each log line with a timestamp; error messages read better without it. */
    private static final Pattern TIMESTAMP = Pattern.compile("^\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}(\\.\\d+)? ");
    private static final int TAIL_LINES = 20;

    private final String label;
    private final Process process;
    private final StreamDrainer stdout;
    private final StreamDrainer stderr;

    private ChildProcess(String label, Process process) {
        this.label = label;
        this.process = process;
        long pid = process.pid();
        this.stdout = new StreamDrainer(process.getInputStream(), label + "-" + pid + "-stdout", TAIL_LINES,
                line -> LOG.log(System.Logger.Level.DEBUG, () -> label + "[" + pid + "]: " + line));
        this.stderr = new StreamDrainer(process.getErrorStream(), label + "-" + pid + "-stderr", TAIL_LINES,
                line -> LOG.log(System.Logger.Level.DEBUG, () -> label + "[" + pid + "]: " + line));
    }

    /**
     * Starts {@code command}. Callers keep secrets out of {@code command} (it is world-readable in
     * {@code /proc/<pid>/cmdline}) and pass them in {@code environment}, which only the same user can read.
     *
     * @param label       a short name for thread names and log lines ({@code rclone-serve})
     * @param environment variables added to the node's own environment
     * @throws IOException when the executable cannot be started (missing, not executable)
     */
    public static ChildProcess start(String label, List<String> command, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environment);
        ChildProcess child = new ChildProcess(label, builder.start());
        child.stdout.start();
        child.stderr.start();
        LOG.log(System.Logger.Level.DEBUG, () -> "started " + label + " as pid " + child.pid());
        return child;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, once it has exited. */
    public Optional<Integer> exitCode() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    /**
     * Waits up to {@code timeout} for the process to exit.
     *
     * @return whether it has exited
     * @throws InterruptedException when the waiting thread is interrupted; the process is left as it is
     */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }

    /** A mark in stderr for {@link #stderrSince}: how many lines it has written so far. */
    public long stderrMark() {
        return stderr.count();
    }

    /** The last lines of stderr, timestamps removed, joined into one line (empty when it wrote nothing). */
    public String stderrTail() {
        return stderrSince(0);
    }

    /**
     * The stderr lines written after {@code mark} (of the last few kept), timestamps removed, joined with
     * {@code " | "}. When the process has exited, first waits briefly for the pipe to be read to its end, so
     * the message that explains the exit is not missed.
     */
    public String stderrSince(long mark) {
        if (!process.isAlive()) {
            stderr.awaitEnd(1_000);
        }
        List<String> lines = stderr.linesSince(mark);
        StringBuilder b = new StringBuilder();
        for (String line : lines) {
            String l = TIMESTAMP.matcher(line).replaceFirst("").strip();
            if (!l.isEmpty()) {
                b.append(b.length() == 0 ? "" : " | ").append(l);
            }
        }
        return b.toString();
    }

    /**
     * Stops the process and waits for it: SIGTERM, up to {@code grace} for it to exit, then SIGKILL. Children
     * it may have started are killed as well. Idempotent. Never gives up on an interrupt (a half-stopped
     * rclone would keep a mount or a port): the interrupt is kept in the thread's status instead.
     */
    public void stop(Duration grace) {
        boolean interrupted = Thread.interrupted();
        try {
            List<ProcessHandle> descendants = List.of();
            try {
                descendants = process.descendants().toList();
            } catch (UnsupportedOperationException | SecurityException ignored) {
                // The process itself then.
            }
            if (process.isAlive()) {
                process.destroy();
                long deadline = System.nanoTime() + grace.toNanos();
                while (process.isAlive()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        LOG.log(System.Logger.Level.WARNING, label + "[" + pid() + "] did not exit within " + grace.toMillis()
                                + " ms of SIGTERM; killing it");
                        process.destroyForcibly();
                        break;
                    }
                    try {
                        process.waitFor(left, TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            while (true) {
                try {
                    process.waitFor();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            descendants.forEach(ProcessHandle::destroyForcibly);
            // The pipes end with the process; wait so no drainer thread outlives it by much.
            stdout.awaitEnd(500);
            stderr.awaitEnd(500);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return label + "[" + pid() + "]";
    }
}
