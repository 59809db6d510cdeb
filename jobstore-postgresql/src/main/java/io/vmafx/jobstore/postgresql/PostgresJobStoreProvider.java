package io.vmafx.jobstore.postgresql;

import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.jobstore.JobStore;
import io.vmafx.spi.jobstore.JobStoreException;
import io.vmafx.spi.jobstore.JobStoreProvider;
import java.util.Set;

/**
 * {@code VMAFX_JOB_STORE=postgresql://host:port/db}: the fleet's queue and results in PostgreSQL (13 or later; tested
 * on 15). Reads its own settings ({@link PostgresSettings}); found by ServiceLoader.
 */
public final class PostgresJobStoreProvider implements JobStoreProvider {

    @Override
    public String scheme() {
        return "postgresql";
    }

    @Override
    public Availability availability(NodeSettings settings) {
        PostgresSettings.of(settings); // malformed settings throw, naming the variable
        return Availability.ok(); // the driver is pure Java: nothing on this machine can be missing
    }

    @Override
    public JobStore open(String location, NodeSettings settings) throws JobStoreException {
        StoreLocation where = StoreLocation.parse(location, settings);
        return PostgresJobStore.open(where, PostgresSettings.of(settings));
    }

    @Override
    public Set<String> settings() {
        return PostgresSettings.NAMES;
    }
}
