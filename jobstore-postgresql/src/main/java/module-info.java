/**
 * A job store in PostgreSQL ({@code VMAFX_JOB_STORE=postgresql://host:port/db}): every node of a fleet takes jobs from
 * one queue, with leases, and every node answers for every job.
 */
module io.vmafx.jobstore.postgresql {
    requires io.vmafx.api;
    requires java.sql;
    // An automatic module (the driver's jar names itself in its manifest but has no module-info).
    requires org.postgresql.jdbc;

    provides io.vmafx.spi.jobstore.JobStoreProvider with io.vmafx.jobstore.postgresql.PostgresJobStoreProvider;
}
