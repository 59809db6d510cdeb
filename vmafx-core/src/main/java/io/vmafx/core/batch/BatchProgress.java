package io.vmafx.core.batch;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The batch's progress bar on a terminal: one line on stderr, rewritten in place,
 * {@code [#####.....] 120/1000 pairs, 3 failed, 40 skipped, 2.10 pairs/s, ETA 7m00s}; the rate and the ETA count the
 * pairs this run scored, not the skipped ones. Redrawn when a pair ends and once a second, at most 5 times a second;
 * {@link #done} clears it. Silent ({@link #quiet}) when stderr is not a terminal.
 */
class BatchProgress {

    private static final long MIN_INTERVAL = TimeUnit.MILLISECONDS.toNanos(200);
    private static final int BAR = 20;

    private final PrintStream out;
    private final LongSupplier clock;
    private final long total;
    private final long started;
    private long done;
    private long failed;
    private long skipped;
    private long lastDraw;
    private int width;

    BatchProgress(PrintStream out, long total, LongSupplier clock) {
        this.out = out;
        this.total = total;
        this.clock = clock;
        this.started = clock.getAsLong();
    }

    /** A bar on {@link System#err} when the JVM has a terminal, else one that draws nothing. */
    static BatchProgress forConsole(long total) {
        return System.console() != null ? new BatchProgress(System.err, total, System::nanoTime) : quiet(total);
    }

    static BatchProgress quiet(long total) {
        return new BatchProgress(null, total, System::nanoTime);
    }

    synchronized void skipped() {
        skipped++;
        draw(false);
    }

    synchronized void ended(boolean ok) {
        done++;
        if (!ok) {
            failed++;
        }
        draw(false);
    }

    /** Redraws now (the once-a-second tick). */
    synchronized void tick() {
        draw(true);
    }

    /** The line as it would be drawn now. */
    synchronized String line() {
        long finished = done + skipped;
        double seconds = (clock.getAsLong() - started) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        long left = total - finished;
        int filled = total == 0 ? BAR : (int) (BAR * finished / total);
        StringBuilder b = new StringBuilder("[").append("#".repeat(filled)).append(".".repeat(BAR - filled)).append("] ");
        b.append(finished).append('/').append(total).append(" pairs");
        if (failed > 0) {
            b.append(", ").append(failed).append(" failed");
        }
        if (skipped > 0) {
            b.append(", ").append(skipped).append(" skipped");
        }
        b.append(String.format(Locale.ROOT, ", %.2f pairs/s", rate));
        b.append(", ETA ").append(done == 0 ? "--" : duration((long) (left / rate)));
        return b.toString();
    }

    static String duration(long seconds) {
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds / 60 % 60);
        }
        return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }

    private void draw(boolean force) {
        if (out == null) {
            return;
        }
        long now = clock.getAsLong();
        if (!force && width > 0 && now - lastDraw < MIN_INTERVAL) {
            return;
        }
        lastDraw = now;
        String text = line();
        out.print("\r" + text + " ".repeat(Math.max(0, width - text.length())));
        out.flush();
        width = text.length();
    }

    /** Prints {@code line} on {@code err} (the failures' lines), clearing the bar first and drawing it again after. */
    synchronized void println(PrintStream err, String line) {
        int w = width;
        done();
        err.println(line);
        err.flush();
        if (w > 0) {
            draw(true);
        }
    }

    /** Clears the line. */
    synchronized void done() {
        if (out != null && width > 0) {
            out.print("\r" + " ".repeat(width) + "\r");
            out.flush();
            width = 0;
        }
    }

    /** Whether it draws at all. */
    boolean drawing() {
        return out != null;
    }
}
