package io.vmafx.spi.storage;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes an asset readable by ffmpeg: a path on this machine or a URL on loopback.
 *
 * <p>Found by {@link java.util.ServiceLoader} (boot layer and plugin layer); one instance per node. Core
 * calls {@link #availability} once at start-up, then {@link #reapLeftovers}, then {@link #prepare} for each input
 * of each job, from many threads at once, and {@link #close} once at shutdown. Names are unique across a node: a duplicate stops
 * start-up with an error naming both modules.
 */
public interface StorageProvider extends AutoCloseable {

    /** The name jobs and {@code VMAFX_STORAGE_MODE} use: {@code local}, {@code http-serve}, {@code mount}, or a plugin's own. */
    String name();

    /**
     * Whether this provider can work on this machine with these settings and, if not, why (one sentence).
     * Cheap enough to call at start-up and from {@code providers}.
     *
     * @throws IllegalArgumentException when a setting the provider reads is malformed; the message names the
     *                                  variable, and core stops start-up with it (a missing tool or device is
     *                                  not malformed: that is an unusable answer)
     */
    Availability availability(NodeSettings settings);

    /** Whether this provider can prepare {@code uri}. Pure; no I/O. */
    boolean handles(AssetUri uri);

    /**
     * URI schemes of their own that this provider claims (a plugin's {@code myscheme://}), so that the URI
     * parser accepts them. Built-in forms need not be listed.
     */
    default Set<String> schemes() {
        return Set.of();
    }

    /**
     * Makes {@code uri} readable and returns where ffmpeg should open it, plus the handle that releases what
     * this call started or leased. Called by the executor, from any thread; must be safe to call
     * concurrently.
     *
     * @throws StorageException when the asset cannot be made readable; its message names the URI and the cause
     * @throws InterruptedException when the job was cancelled while waiting; nothing stays leased
     */
    PreparedInput prepare(AssetUri uri, NodeSettings settings) throws StorageException, InterruptedException;

    /**
     * The {@code VMAFX_*} environment variables this provider reads itself, beyond core's own (for
     * {@code providers --json} and for checking deployment files against what the node reads).
     */
    default Set<String> settings() {
        return Set.of();
    }

    /**
     * Removes what node processes that are gone (killed, so their {@link #close} never ran) left on this machine
     * for this provider: child processes, mounts, files with credentials. Called by core once when a node starts,
     * after {@link #availability}, for every installed provider, usable or not, before the first
     * {@link #prepare}. What a running node holds is never touched, whichever node it is: owners are told apart
     * by {@link io.vmafx.spi.NodeProcess} marks. Never throws; bounded in time (a few seconds at most).
     *
     * @return one line for each thing removed ({@code killed rclone serve http media: (pid 41, left by node
     *         process 17-8812)}), for the node's log; empty when nothing was left
     */
    default List<String> reapLeftovers(NodeSettings settings) {
        return List.of();
    }

    /** Counters for metrics and benchmarks ({@code prepares}, {@code pool_hits}, ...). */
    default Map<String, Number> counters() {
        return Map.of();
    }

    /** Releases everything the provider still holds (pooled processes, mounts). Idempotent; called at shutdown. */
    @Override
    default void close() {
    }
}
