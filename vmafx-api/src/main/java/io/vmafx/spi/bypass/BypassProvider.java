package io.vmafx.spi.bypass;

import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.storage.PreparedInput;
import java.util.Map;

/**
 * Offers a faster local path for an input that storage prepared (a warm, complete, fresh rclone VFS cache
 * file instead of the FUSE path or loopback URL), or declines with a reason.
 *
 * <p>Found by {@link java.util.ServiceLoader}; one instance per node. Core calls {@link #availability}
 * (preflight) and, when the bypass is enabled and usable, {@link #start} once at start-up; then
 * {@link #offer} for each prepared input, from many threads at once; {@link #close} once at shutdown. A
 * bypass never fails a job: whatever goes wrong inside {@link #offer} is a decline.
 */
public interface BypassProvider extends AutoCloseable {

    /** A unique name, e.g. {@code ebpf}. */
    String name();

    /** Preflight: whether the bypass can work here and, if not, every reason at once in one sentence. Never throws. */
    Availability availability(NodeSettings settings);

    /**
     * Starts the bypass (loads and attaches probes).
     *
     * @throws BypassException when it cannot start; the node goes on without it
     */
    void start(NodeSettings settings) throws BypassException;

    /**
     * Offers a bypass for {@code input}. The decision holds what the bypass leased (a hard link to the cache
     * file, for example) until it is closed, after ffmpeg has finished reading.
     */
    BypassDecision offer(PreparedInput input);

    /**
     * Starts counting the FUSE reads of {@code input} (its {@code VfsCacheLocation.fusePath()}), for the job's
     * result; empty when this bypass cannot observe it (no probe, not on a watched mount). Called by the
     * executor before ffmpeg starts, for every input, bypassed or not.
     */
    default java.util.Optional<TrafficWatch> watch(PreparedInput input) {
        return java.util.Optional.empty();
    }

    /**
     * The {@code VMAFX_*} environment variables this bypass reads itself, beyond core's own (for
     * {@code providers --json} and for checking deployment files against what the node reads).
     */
    default java.util.Set<String> settings() {
        return java.util.Set.of();
    }

    /**
     * Removes what node processes that are gone (killed) left for this bypass: files it made (hard links to cache
     * files), marked with their {@link io.vmafx.spi.NodeProcess} id. Called by core once when a node starts, for
     * every installed bypass, on or off. Never touches what a running node holds; never throws.
     *
     * @return one line for each thing removed, for the node's log
     */
    default java.util.List<String> reapLeftovers(NodeSettings settings) {
        return java.util.List.of();
    }

    /** Counters for metrics: offers, bypassed, declines by reason, bytes seen. */
    Map<String, Number> counters();

    /** Stops the bypass and releases what it holds. Idempotent. */
    @Override
    void close();
}
