package io.vmafx.spi.storage;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * What ffmpeg opens for one input, and the handle that gives back what preparing it took.
 *
 * <p>{@link #close()} releases; it is idempotent and safe from any thread (the executor may call it from a
 * cancellation path while another thread finishes the job). Only the first call runs the release action, and
 * the {@code with...} copies share it: closing the original or any copy releases once.
 */
public final class PreparedInput implements AutoCloseable {

    private final String provider;
    private final String location;
    private final String displayLocation;
    private final VfsCacheLocation vfsCache;
    private final Supplier<Optional<String>> readCheck;
    private final Runnable release;
    /** Shared by this input and every {@code with...} copy of it: one release, whichever copy is closed. */
    private final AtomicBoolean released;

    private PreparedInput(String provider, String location, String displayLocation, VfsCacheLocation vfsCache,
                          Supplier<Optional<String>> readCheck, Runnable release, AtomicBoolean released) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.location = Objects.requireNonNull(location, "location");
        this.displayLocation = Objects.requireNonNull(displayLocation, "displayLocation");
        this.vfsCache = vfsCache;
        this.readCheck = Objects.requireNonNull(readCheck, "readCheck");
        this.release = Objects.requireNonNull(release, "release");
        this.released = released;
    }

    /** An input ffmpeg opens at {@code location}; {@code release} runs once, on the first {@link #close()}. */
    public static PreparedInput of(String provider, String location, Runnable release) {
        return new PreparedInput(provider, location, location, null, Optional::empty, release, new AtomicBoolean());
    }

    /** The same input, shown as {@code displayLocation} in results and logs (a URL without its credentials). */
    public PreparedInput withDisplayLocation(String displayLocation) {
        return new PreparedInput(provider, location, displayLocation, vfsCache, readCheck, release, released);
    }

    /** The same input, read through an rclone VFS cache that a bypass may serve from. */
    public PreparedInput withVfsCache(VfsCacheLocation cache) {
        return new PreparedInput(provider, location, displayLocation, cache, readCheck, release, released);
    }

    /**
     * The same input, with a check the executor runs after ffmpeg has read it: empty when what was read can be
     * trusted, else why not ("rclone serve http for media: exited during the job"). ffmpeg takes a read cut
     * short by a dying server or mount for the end of the file and exits 0, so only storage can tell.
     */
    public PreparedInput withReadCheck(Supplier<Optional<String>> check) {
        return new PreparedInput(provider, location, displayLocation, vfsCache, check, release, released);
    }

    /**
     * Why what ffmpeg read from this input cannot be trusted, or empty. Called by the executor once ffmpeg has
     * finished, before the input is released; never throws.
     */
    public Optional<String> readProblem() {
        try {
            return readCheck.get();
        } catch (RuntimeException e) {
            return Optional.of("the storage's read check failed: " + e.getMessage());
        }
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
