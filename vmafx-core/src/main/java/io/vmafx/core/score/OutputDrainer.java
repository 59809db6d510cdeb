package io.vmafx.core.score;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a child process's output stream to its end on a daemon thread, so the child never blocks on a full
 * pipe: hands each line to a callback and keeps the last few lines for error messages. The scorers run one
 * per output stream of their tool.
 */
final class OutputDrainer {

    private final InputStream in;
    private final int keep;
    private final Consumer<String> onLine;
    private final Runnable onEnd;
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final Thread thread;

    /**
     * @param keep   how many of the last lines {@link #tail()} keeps
     * @param onLine called on the drainer thread for each line; its exceptions are ignored (draining goes on)
     * @param onEnd  called on the drainer thread once the stream has ended or failed
     */
    OutputDrainer(InputStream in, String threadName, int keep, Consumer<String> onLine, Runnable onEnd) {
        this.in = in;
        this.keep = keep;
        this.onLine = onLine;
        this.onEnd = onEnd;
        this.thread = new Thread(this::drain, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void drain() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > keep) {
                        tail.removeFirst();
                    }
                }
                try {
                    onLine.accept(line);
                } catch (RuntimeException ignored) {
                    // A bad callback must not stop the draining, or the child would block.
                }
            }
        } catch (IOException ignored) {
            // The stream was closed under us (the process was killed): nothing more to read.
        } finally {
            onEnd.run();
        }
    }

    /** The last lines read so far, oldest first. */
    List<String> tail() {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    /** Waits up to {@code millis} for the stream to end, ignoring (but keeping) interrupts. */
    void awaitEnd(long millis) {
        ChildProcess.joinQuietly(thread, millis);
    }
}
