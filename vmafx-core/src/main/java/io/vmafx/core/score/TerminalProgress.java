package io.vmafx.core.score;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A {@link ProgressListener} for the CLI: one line on stderr, rewritten in place with {@code \r}, showing the
 * frames scored and the speed, redrawn at most {@value #MAX_UPDATES_PER_SECOND} times a second; {@link #done()}
 * clears it. Get one with {@link #forConsole()}, which stays quiet when stderr is not a terminal.
 */
public final class TerminalProgress implements ProgressListener {

    /** The redraw rate limit. */
    public static final int MAX_UPDATES_PER_SECOND = 5;

    private static final long MIN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1) / MAX_UPDATES_PER_SECOND;

    private final PrintStream out;
    private final LongSupplier nanoClock;
    private long lastDraw;
    private boolean drawn;
    private int width;

    /** Draws on {@code out} (normally {@link System#err}). */
    public TerminalProgress(PrintStream out) {
        this(out, System::nanoTime);
    }

    TerminalProgress(PrintStream out, LongSupplier nanoClock) {
        this.out = Objects.requireNonNull(out, "out");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /**
     * A progress line on {@link System#err} when the JVM has a console (an interactive terminal), else
     * {@link ProgressListener#NONE}, so piped or logged output gets no {@code \r} clutter.
     */
    public static ProgressListener forConsole() {
        return System.console() != null ? new TerminalProgress(System.err) : ProgressListener.NONE;
    }

    @Override
    public synchronized void update(long framesDone, double fps) {
        long now = nanoClock.getAsLong();
        if (drawn && now - lastDraw < MIN_INTERVAL_NANOS) {
            return;
        }
        lastDraw = now;
        String text = String.format(Locale.ROOT, "VMAF: %d frame%s, %.1f fps", framesDone,
                framesDone == 1 ? "" : "s", fps);
        // Pad with spaces over whatever the previous, longer line left behind.
        String padding = " ".repeat(Math.max(0, width - text.length()));
        out.print("\r" + text + padding);
        out.flush();
        width = text.length();
        drawn = true;
    }

    @Override
    public synchronized void done() {
        if (drawn) {
            out.print("\r" + " ".repeat(width) + "\r");
            out.flush();
            drawn = false;
            width = 0;
        }
    }
}
