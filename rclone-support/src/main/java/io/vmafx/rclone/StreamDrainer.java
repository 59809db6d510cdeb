package io.vmafx.rclone;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads one output stream of a child process to its end on a daemon thread and keeps its last lines.
 *
 * <p>Started by {@link ChildProcess} for stdout and stderr. Without it a chatty rclone ({@code -v}, retries
 * against a flaky remote) would fill the 64 KiB pipe and block in a write: a serve process that stops
 * answering for no visible reason.
 */
final class StreamDrainer {

    /** Longer lines are cut: a tail is for one-line error messages, not for a dump of the remote's answer. */
    private static final int MAX_LINE = 400;

    private final InputStream in;
    private final int keep;
    private final Consumer<String> onLine;
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final Thread thread;
    /** The whole output, up to {@code captureLimit} characters, or null when not asked for. Guarded by tail. */
    private final StringBuilder captured;
    private final int captureLimit;
    private long lines;

    /**
     * @param keep   how many of the last lines to keep
     * @param onLine called on the drainer thread for each line (logging); its exceptions are ignored
     */
    StreamDrainer(InputStream in, String threadName, int keep, Consumer<String> onLine) {
        this(in, threadName, keep, onLine, 0);
    }

    /**
     * @param captureLimit when more than 0, the output is also kept whole (lines uncut, newline-terminated) up to
     *                     this many characters, for {@link #captured()}: a command's answer rather than its chatter
     */
    StreamDrainer(InputStream in, String threadName, int keep, Consumer<String> onLine, int captureLimit) {
        this.in = in;
        this.keep = keep;
        this.onLine = onLine;
        this.captureLimit = captureLimit;
        this.captured = captureLimit > 0 ? new StringBuilder() : null;
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
                String kept = line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "..." : line;
                synchronized (tail) {
                    if (captured != null && captured.length() < captureLimit) {
                        int room = captureLimit - captured.length();
                        captured.append(line, 0, Math.min(line.length(), room));
                        if (line.length() < room) {
                            captured.append('\n');
                        }
                    }
                    tail.addLast(kept);
                    lines++;
                    if (tail.size() > keep) {
                        tail.removeFirst();
                    }
                }
                try {
                    onLine.accept(kept);
                } catch (RuntimeException ignored) {
                    // A failing logger must not stop the draining, or the child would block on a full pipe.
                }
            }
        } catch (IOException ignored) {
            // The pipe was closed under us (the process was killed): there is nothing more to read.
        }
    }

    /** What was captured so far (empty when capturing was not asked for). */
    String captured() {
        synchronized (tail) {
            return captured == null ? "" : captured.toString();
        }
    }

    /** How many lines were read so far; a mark for {@link #linesSince}. */
    long count() {
        synchronized (tail) {
            return lines;
        }
    }

    /** The kept lines read after {@code mark} (a {@link #count()}), oldest first. */
    List<String> linesSince(long mark) {
        synchronized (tail) {
            long fresh = Math.min(lines - mark, tail.size());
            List<String> all = new ArrayList<>(tail);
            return fresh <= 0 ? List.of() : List.copyOf(all.subList(all.size() - (int) fresh, all.size()));
        }
    }

    /**
     * Waits up to {@code millis} for the stream to end, so that a tail read after the process exited is
     * complete. An interrupt ends the wait early and stays set.
     */
    void awaitEnd(long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
