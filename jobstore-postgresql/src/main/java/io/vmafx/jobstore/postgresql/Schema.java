package io.vmafx.jobstore.postgresql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The store's tables, versioned: {@code vmafx_schema_version} holds the versions applied, and {@link #apply} applies
 * the missing ones in one transaction under a transaction-scoped advisory lock, so that nodes starting at once apply
 * each version once (the others wait for the lock, then find it applied) and a node killed mid-way leaves nothing
 * half-applied (the transaction rolls back, the lock goes with its session).
 */
final class Schema {

    /** The advisory lock's key: "vmafx" in ASCII, so that it does not collide with an application's small numbers. */
    static final long LOCK = 0x766d616678L;

    private static String pooled(String column, String key) {
        return "    " + column + " double precision GENERATED ALWAYS AS (CASE WHEN jsonb_typeof(result->'vmaf'->'" + key
                + "') = 'number' THEN (result->'vmaf'->>'" + key + "')::double precision END) STORED,\n";
    }

    /** Version N is element N-1. Never edit a released one: add the next. */
    static final List<String> MIGRATIONS = List.of(
            // 1: the jobs, the queue's and the leases' indexes, and the notifications nodes listen to.
            "CREATE TABLE vmafx_jobs (\n"
                    + "    id uuid PRIMARY KEY,\n"
                    + "    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,\n"
                    + "    state text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),\n"
                    + "    submission text NOT NULL,\n"
                    + "    reference_uri text NOT NULL,\n"
                    + "    distorted_uri text NOT NULL,\n"
                    + "    submitted_at timestamptz NOT NULL DEFAULT clock_timestamp(),\n"
                    + "    started_at timestamptz,\n"
                    + "    finished_at timestamptz,\n"
                    + "    node text,\n"
                    + "    lease_token uuid,\n"
                    + "    lease_until timestamptz,\n"
                    + "    attempts integer NOT NULL DEFAULT 0,\n"
                    + "    cancel_reason text,\n"
                    + "    error text,\n"
                    + "    result jsonb,\n"
                    + "    timings jsonb,\n"
                    + pooled("vmaf_mean", "mean")
                    + pooled("vmaf_harmonic_mean", "harmonic_mean")
                    + pooled("vmaf_min", "min")
                    + pooled("vmaf_max", "max")
                    + pooled("vmaf_p1", "p1")
                    + pooled("vmaf_p5", "p5")
                    + "    frames bigint GENERATED ALWAYS AS (CASE WHEN jsonb_typeof(result->'frames') = 'number'"
                    + " THEN (result->>'frames')::numeric::bigint END) STORED\n"
                    + ");\n"
                    + "CREATE INDEX vmafx_jobs_queue ON vmafx_jobs (seq) WHERE state = 'queued';\n"
                    + "CREATE INDEX vmafx_jobs_leases ON vmafx_jobs (lease_until) WHERE state = 'running';\n"
                    + "CREATE INDEX vmafx_jobs_state_seq ON vmafx_jobs (state, seq);\n"
                    + "CREATE INDEX vmafx_jobs_finished ON vmafx_jobs (finished_at) WHERE finished_at IS NOT NULL;\n"
                    // Nodes LISTEN on vmafx_jobs: 'q' when a job is queued (new, or back after a lease ran out or a
                    // node let it go), 'c:<id>' when a running job's cancellation is asked for.
                    + "CREATE FUNCTION vmafx_jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                    + "BEGIN\n"
                    + "    IF NEW.state = 'queued' AND (TG_OP = 'INSERT' OR OLD.state <> 'queued') THEN\n"
                    + "        PERFORM pg_notify('vmafx_jobs', 'q');\n"
                    + "    ELSIF TG_OP = 'UPDATE' AND NEW.state = 'running' AND NEW.cancel_reason IS NOT NULL\n"
                    + "            AND OLD.cancel_reason IS NULL THEN\n"
                    + "        PERFORM pg_notify('vmafx_jobs', 'c:' || NEW.id::text);\n"
                    + "    END IF;\n"
                    + "    RETURN NULL;\n"
                    + "END $$;\n"
                    + "CREATE TRIGGER vmafx_jobs_notify AFTER INSERT OR UPDATE OF state, cancel_reason ON vmafx_jobs\n"
                    + "    FOR EACH ROW EXECUTE FUNCTION vmafx_jobs_notify();\n");

    static int latest() {
        return MIGRATIONS.size();
    }

    private Schema() {
    }

    /**
     * Brings the schema to {@link #latest}.
     *
     * @return the version it was at before
     * @throws SQLException           the database refused (the message says which statement's error)
     * @throws IllegalStateException  the database has a newer schema than this node knows: upgrade the node
     */
    static int apply(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
            s.execute("CREATE TABLE IF NOT EXISTS vmafx_schema_version (version integer PRIMARY KEY,"
                    + " applied_at timestamptz NOT NULL DEFAULT now())");
            int current;
            try (ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM vmafx_schema_version")) {
                rs.next();
                current = rs.getInt(1);
            }
            if (current > latest()) {
                throw new IllegalStateException("the database's job schema is version " + current + ", newer than this node's ("
                        + latest() + "): run a node at least as new as the newest that used it");
            }
            for (int v = current + 1; v <= latest(); v++) {
                s.execute(MIGRATIONS.get(v - 1));
                s.execute("INSERT INTO vmafx_schema_version (version) VALUES (" + v + ")");
            }
            c.commit();
            return current;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
