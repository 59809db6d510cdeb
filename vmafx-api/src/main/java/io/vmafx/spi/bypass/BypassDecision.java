package io.vmafx.spi.bypass;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bypass's answer for one input: either a local path ffmpeg reads instead of the prepared location, or a
 * decline with its reason ("not in the cache", "cache file is dirty", "bypass disabled").
 *
 * <p>{@link #close()} releases what the bypass leased for the job; idempotent and safe from any thread.
 */
public final class BypassDecision implements AutoCloseable {

    private final String location;
    private final String reason;
    private final Runnable release;
    private final AtomicBoolean released = new AtomicBoolean();

    private BypassDecision(String location, String reason, Runnable release) {
        this.location = location;
        this.reason = Objects.requireNonNull(reason, "reason");
        this.release = Objects.requireNonNull(release, "release");
    }

    /** ffmpeg reads {@code location} instead; {@code release} runs once, when the job is done with it. */
    public static BypassDecision bypass(String location, Runnable release) {
        return new BypassDecision(Objects.requireNonNull(location, "location"), "", release);
    }

    /** No bypass for this input, because of {@code reason} (one short sentence). */
    public static BypassDecision decline(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a decline must say why");
        }
        return new BypassDecision(null, reason, () -> { });
    }

    public boolean bypassed() {
        return location != null;
    }

    /** The local path ffmpeg reads, when bypassed. */
    public Optional<String> location() {
        return Optional.ofNullable(location);
    }

    /** Why the input was not bypassed; empty when it was. */
    public String reason() {
        return reason;
    }

    @Override
    public void close() {
        if (released.compareAndSet(false, true)) {
            release.run();
        }
    }
}
