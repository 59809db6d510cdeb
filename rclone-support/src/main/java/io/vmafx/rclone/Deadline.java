package io.vmafx.rclone;

import java.time.Duration;

/**
 * The point in time by which a prepare must be ready, so that its stages (start a process, wait for it to
 * listen or mount, probe the asset) share one timeout rather than each having its own.
 */
public final class Deadline {

    private final long end;
    private final Duration total;

    private Deadline(Duration total) {
        this.total = total;
        this.end = System.nanoTime() + total.toNanos();
    }

    /** A deadline {@code timeout} from now. */
    public static Deadline after(Duration timeout) {
        return new Deadline(timeout);
    }

    /** The timeout it was made with, for messages ("did not answer within 15 s"). */
    public Duration total() {
        return total;
    }

    /** What is left; zero or negative once expired. */
    public Duration remaining() {
        return Duration.ofNanos(end - System.nanoTime());
    }

    public boolean expired() {
        return end - System.nanoTime() <= 0;
    }

    /**
     * Sleeps {@code millis}, or less if the deadline comes first.
     *
     * @throws InterruptedException when interrupted: callers poll in loops that a cancelled job must leave
     */
    public void sleep(long millis) throws InterruptedException {
        long left = Math.max(0, remaining().toMillis());
        Thread.sleep(Math.min(millis, left));
    }

    /** The total timeout in words, {@code 15 s} or {@code 500 ms}. */
    public String describe() {
        return total.toMillis() % 1000 == 0 ? total.toSeconds() + " s" : total.toMillis() + " ms";
    }
}
