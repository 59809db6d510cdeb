package io.vmafx.spi.storage;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
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
    /** Ends reads blocked on this input's storage; null when the storage has nothing to abort. */
    private final BooleanSupplier readAbort;
    private final Runnable release;
    /** Shared by this input and every {@code with...} copy of it: one release, whichever copy is closed. */
    private final AtomicBoolean released;

    private PreparedInput(String provider, String location, String displayLocation, VfsCacheLocation vfsCache,
                          Supplier<Optional<String>> readCheck, BooleanSupplier readAbort, Runnable release,
                          AtomicBoolean released) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.location = Objects.requireNonNull(location, "location");
        this.displayLocation = Objects.requireNonNull(displayLocation, "displayLocation");
        this.vfsCache = vfsCache;
        this.readCheck = Objects.requireNonNull(readCheck, "readCheck");
        this.readAbort = readAbort;
        this.release = Objects.requireNonNull(release, "release");
        this.released = released;
    }

    /** An input ffmpeg opens at {@code location}; {@code release} runs once, on the first {@link #close()}. */
    public static PreparedInput of(String provider, String location, Runnable release) {
        return new PreparedInput(provider, location, location, null, Optional::empty, null, release, new AtomicBoolean());
    }

    /** The same input, shown as {@code displayLocation} in results and logs (a URL without its credentials). */
    public PreparedInput withDisplayLocation(String displayLocation) {
        return new PreparedInput(provider, location, displayLocation, vfsCache, readCheck, readAbort, release, released);
    }

    /** The same input, read through an rclone VFS cache that a bypass may serve from. */
    public PreparedInput withVfsCache(VfsCacheLocation cache) {
        return new PreparedInput(provider, location, displayLocation, cache, readCheck, readAbort, release, released);
    }

    /**
     * The same input, with a check the executor runs after ffmpeg has read it: empty when what was read can be
     * trusted, else why not ("rclone serve http for media: exited during the job"). ffmpeg takes a read cut
     * short by a dying server or mount for the end of the file and exits 0, so only storage can tell.
     */
    public PreparedInput withReadCheck(Supplier<Optional<String>> check) {
        return new PreparedInput(provider, location, displayLocation, vfsCache, check, readAbort, release, released);
    }

    /**
     * The same input, whose reads {@link #abortReads()} can end: {@code abort} does it and says whether it ended
     * anything. For storage whose reads can block where no timeout reaches (a FUSE mount whose server stopped
     * answering); {@code abort} must follow {@link #abortReads()}'s contract.
     */
    public PreparedInput withReadAbort(BooleanSupplier abort) {
        return new PreparedInput(provider, location, displayLocation, vfsCache, readCheck, Objects.requireNonNull(abort, "abort"),
                release, released);
    }

    /**
     * Ends every read of this input's storage that is blocked, and every later one, with an error: for the
     * executor's stall watchdog, once it has decided that ffmpeg waits for bytes that will not come (a read in
     * the kernel that neither a signal nor {@code Process.destroyForcibly} can end).
     *
     * <ul>
     *   <li>Returns {@code true} when it aborted something: reads blocked on the storage now fail (FUSE: with
     *       {@code ENOTCONN}, "Transport endpoint is not connected"), within milliseconds, and so does every
     *       later read through this input. ffmpeg then exits with an error; the job fails.</li>
     *   <li>Returns {@code false} when the storage has nothing to abort: local files, {@code http(s)} URLs,
     *       http-serve (a socket: ffmpeg's {@code rw_timeout} ends those reads, or killing ffmpeg does), an input
     *       already released or a mount already gone. Nothing happened then.</li>
     *   <li>It acts on what the input reads through, which other inputs may share: a mount serves every job that
     *       reads from its remote root, so their reads fail too. Call it for a stalled read, not to cancel a job
     *       (cancelling is killing ffmpeg and {@link #close()}).</li>
     *   <li>The input still has to be {@link #close() closed} as usual, after ffmpeg has exited. The storage does
     *       not reuse what it aborted: the next prepare of the same remote root makes a fresh one.</li>
     *   <li>Safe from any thread, at any time, more than once (later calls return {@code false} or {@code true}
     *       again, harmlessly), also concurrently with {@link #close()}; never throws; returns within a second or
     *       two (it writes a file in {@code /sys}, or kills a process).</li>
     * </ul>
     */
    public boolean abortReads() {
        if (readAbort == null || released.get()) {
            return false; // released: what it read through may serve other jobs now, and this one reads nothing
        }
        try {
            return readAbort.getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether {@link #abortReads()} can do anything for this input (its storage gave it an abort). */
    public boolean canAbortReads() {
        return readAbort != null;
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
