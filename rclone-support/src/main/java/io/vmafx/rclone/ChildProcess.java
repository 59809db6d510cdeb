package io.vmafx.rclone;

import io.vmafx.spi.NodeProcess;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
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
 * <p>It does not outlive the node either: it is forked by the {@link Spawner}, which makes the kernel kill it when
 * the node dies however it dies, and it carries the node's {@link NodeProcess} id in its environment
 * ({@value NodeProcess#ENVIRONMENT}), by which the next node tells it from everybody else's processes and reaps it
 * if it is still there ({@link Orphans}).
 *
 * <p>The providers start {@code rclone serve http}, {@code rclone mount} and {@code fusermount3} through it.
 * Thread-safe.
 */
public final class ChildProcess {

    private static final System.Logger LOG = System.getLogger(ChildProcess.class.getName());
    /** rclone starts each log line with a timestamp; error messages read better without it. */
    private static final Pattern TIMESTAMP = Pattern.compile("^\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}(\\.\\d+)? ");
    private static final int TAIL_LINES = 20;
    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(2);

    private final String label;
    private final Process process;
    private final StreamDrainer stdout;
    private final StreamDrainer stderr;

    private ChildProcess(String label, Process process, int stdoutCapture) {
        this.label = label;
        this.process = process;
        long pid = process.pid();
        this.stdout = new StreamDrainer(process.getInputStream(), label + "-" + pid + "-stdout", TAIL_LINES,
                line -> LOG.log(System.Logger.Level.DEBUG, () -> label + "[" + pid + "]: " + line), stdoutCapture);
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
        return start(label, command, environment, 0);
    }

    /**
     * {@link #start}, also keeping stdout whole (lines uncut) up to {@code stdoutLimit} characters for
     * {@link #stdout()}: for a command whose answer is its output, such as {@code rclone lsjson}.
     */
    public static ChildProcess startCapturing(String label, List<String> command, Map<String, String> environment, int stdoutLimit)
            throws IOException {
        if (stdoutLimit <= 0) {
            throw new IllegalArgumentException("stdoutLimit must be more than 0: " + stdoutLimit);
        }
        return start(label, command, environment, stdoutLimit);
    }

    private static ChildProcess start(String label, List<String> command, Map<String, String> environment, int stdoutCapture)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environment);
        builder.environment().put(NodeProcess.ENVIRONMENT, NodeProcess.current().id());
        ChildProcess child = new ChildProcess(label, Spawner.start(builder), stdoutCapture);
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

    /**
     * What a process started with {@link #startCapturing} wrote to stdout (up to its limit; empty for one
     * started with {@link #start}). Once the process has exited, first waits briefly for the pipe to be read to
     * its end, so the answer is complete.
     */
    public String stdout() {
        if (!process.isAlive()) {
            stdout.awaitEnd(1_000);
        }
        return stdout.captured();
    }

    /**
     * Sends the signal {@code SIG<name>} ({@code "HUP"}) to the process with {@code kill -s}: the JDK itself
     * sends only TERM and KILL. {@code rclone mount} re-reads every directory from the remote on {@code HUP}.
     *
     * @return whether the signal was delivered: {@code false} when the process has exited, no {@code kill} is on
     *         the PATH, or it failed (the reason is logged)
     * @throws InterruptedException when interrupted while {@code kill} runs; it is stopped first
     */
    public boolean signal(String name) throws InterruptedException {
        if (!name.matches("[A-Z][A-Z0-9]*")) {
            throw new IllegalArgumentException("a signal name such as HUP, got '" + name + "'");
        }
        if (!process.isAlive()) {
            return false;
        }
        Optional<Path> kill = Executables.find("kill");
        if (kill.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, () -> "cannot send SIG" + name + " to " + this + ": no kill on the PATH");
            return false;
        }
        ChildProcess k;
        try {
            k = start("kill", List.of(kill.get().toString(), "-s", name, Long.toString(pid())), Map.of());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, () -> "cannot send SIG" + name + " to " + this + ": " + e.getMessage());
            return false;
        }
        try {
            if (k.awaitExit(SIGNAL_TIMEOUT) && k.exitCode().orElse(-1) == 0) {
                return true;
            }
            String why = k.exitCode().map(c -> "kill exited with code " + c + (k.stderrTail().isEmpty() ? "" : ": " + k.stderrTail()))
                    .orElse("kill did not finish within " + SIGNAL_TIMEOUT.toMillis() + " ms");
            LOG.log(System.Logger.Level.WARNING, () -> "cannot send SIG" + name + " to " + this + ": " + why);
            return false;
        } finally {
            k.stop(Duration.ofMillis(500));
        }
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
