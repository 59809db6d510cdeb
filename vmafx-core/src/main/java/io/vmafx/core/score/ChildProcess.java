package io.vmafx.core.score;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starting and stopping the scorers' tool processes. */
final class ChildProcess {

    /** How long a process gets to exit after {@link Process#destroy()} before it is killed forcibly. */
    static final long GRACE_MILLIS = 2_000;

    private ChildProcess() {
    }

    /**
     * Whether {@code executable} can be run: a name without a slash is looked up on the PATH by the OS
     * (reported at start); a path must be an executable regular file.
     */
    static boolean looksRunnable(String executable) {
        if (executable.indexOf('/') < 0) {
            return true;
        }
        Path path = Path.of(executable);
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }

    /**
     * Starts {@code command} with its stdin closed.
     *
     * @throws ScoringException with {@code notFound} if the executable cannot be started
     */
    static Process start(List<String> command, String notFound) throws ScoringException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("AV_LOG_FORCE_NOCOLOR", "1");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ScoringException(notFound, e);
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // Nothing to flush; the child reads no stdin anyway.
        }
        return process;
    }

    /**
     * Stops {@code process} and waits for it: {@code destroy()}, up to {@link #GRACE_MILLIS} for it to exit,
     * then {@code destroyForcibly()}. Its descendants are killed too. An interrupt arriving meanwhile does not
     * cut this short; it is kept in the thread's interrupt status.
     */
    static void terminate(Process process) {
        boolean interrupted = false;
        List<ProcessHandle> descendants = List.of();
        try {
            descendants = process.descendants().toList();
        } catch (UnsupportedOperationException | SecurityException ignored) {
            // Only the process itself then.
        }
        process.destroy();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
        while (process.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                process.destroyForcibly();
                break;
            }
            try {
                process.waitFor(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
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
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Joins {@code thread} for up to {@code millis}, ignoring (but keeping) interrupts. */
    static void joinQuietly(Thread thread, long millis) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (thread.isAlive()) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                break;
            }
            try {
                thread.join(left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
