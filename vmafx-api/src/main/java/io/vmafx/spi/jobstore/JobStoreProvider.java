package io.vmafx.spi.jobstore;

import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import java.util.Set;

/**
 * Makes {@link JobStore}s of one kind, named by the scheme of {@code VMAFX_JOB_STORE}
 * ({@code postgresql://host:port/db} goes to the provider whose {@link #scheme} is {@code postgresql}).
 *
 * <p>Found by {@link java.util.ServiceLoader} in the node's module layer; one instance per node. Core calls
 * {@link #availability} and then {@link #open} once, when {@code serve} starts with a store of this scheme. Without
 * {@code VMAFX_JOB_STORE} the node keeps its jobs in memory (one node, nothing shared), which no provider supplies.
 */
public interface JobStoreProvider {

    /** The scheme of {@code VMAFX_JOB_STORE} this provider opens: {@code postgresql}. */
    String scheme();

    /** Whether the provider can work here and, if not, why (one sentence). Cheap; no connection is made. */
    Availability availability(NodeSettings settings);

    /**
     * Opens the store at {@code location} (the value of {@code VMAFX_JOB_STORE}), with credentials from its own
     * settings (a file or the environment, never the command line); applies its schema when it is older than this
     * node's. Waits for a store that is not up yet up to the provider's own bound.
     *
     * @throws IllegalArgumentException the location or a setting is malformed; the message names it (exit 2)
     * @throws JobStoreException        the store cannot be reached or refuses this node (exit 1)
     */
    JobStore open(String location, NodeSettings settings) throws JobStoreException;

    /** The {@code VMAFX_*} variables this provider reads itself. */
    default Set<String> settings() {
        return Set.of();
    }
}
