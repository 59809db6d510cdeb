package io.vmafx.spi.storage;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What ffmpeg opens for one input, and the handle that gives back what preparing it took.
 *
 * <p>{@link #close()} releases; it is idempotent and safe from any thread (the executor may call it from a
 * cancellation path while another thread finishes the job). Only the first call runs the release action.
 */
public final class PreparedInput implements AutoCloseable {

    private final String provider;
    private final String location;
    private final String displayLocation;
    private final VfsCacheLocation vfsCache;
    private final Runnable release;
    private final AtomicBoolean released = new AtomicBoolean();

    private PreparedInput(String provider, String location, String displayLocation, VfsCacheLocation vfsCache, Runnable release) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.location = Objects.requireNonNull(location, "location");
        this.displayLocation = Objects.requireNonNull(displayLocation, "displayLocation");
        this.vfsCache = vfsCache;
        this.release = Objects.requireNonNull(release, "release");
    }

    /** An input ffmpeg opens at {@code location}; {@code release} runs once, on the first {@link #close()}. */
    public static PreparedInput of(String provider, String location, Runnable release) {
        return new PreparedInput(provider, location, location, null, release);
    }

    /** The same input, shown as {@code displayLocation} in results and logs (a URL without its credentials). */
    public PreparedInput withDisplayLocation(String displayLocation) {
        return new PreparedInput(provider, location, displayLocation, vfsCache, release);
    }

    /** The same input, read through an rclone VFS cache that a bypass may serve from. */
    public PreparedInput withVfsCache(VfsCacheLocation cache) {
        return new PreparedInput(provider, location, displayLocation, cache, release);
    }

    /** The name of the provider that prepared it. */
    public String provider() {
        return provider;
    }

    /** What ffmpeg opens: a path or a URL, possibly with credentials; never log it, log {@link #displayLocation()}. */
    public String location() {
        return location;
    }

    /** {@link #location()} without secrets, for results and logs. */
    public String displayLocation() {
        return displayLocation;
    }

    /** Where rclone's VFS cache keeps this asset, when it is read through one. */
    public Optional<VfsCacheLocation> vfsCache() {
        return Optional.ofNullable(vfsCache);
    }

    /** Whether {@link #close()} has run. */
    public boolean isReleased() {
        return released.get();
    }

    /** Releases what preparing took; only the first call does anything. */
    @Override
    public void close() {
        if (released.compareAndSet(false, true)) {
            release.run();
        }
    }
}
