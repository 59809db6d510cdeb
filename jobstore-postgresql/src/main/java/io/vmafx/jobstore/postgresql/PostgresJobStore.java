package io.vmafx.jobstore.postgresql;

import io.vmafx.spi.jobstore.Cancellation;
import io.vmafx.spi.jobstore.JobPage;
import io.vmafx.spi.jobstore.JobQuery;
import io.vmafx.spi.jobstore.JobState;
import io.vmafx.spi.jobstore.JobStore;
import io.vmafx.spi.jobstore.JobStoreException;
import io.vmafx.spi.jobstore.NewJob;
import io.vmafx.spi.jobstore.Outcome;
import io.vmafx.spi.jobstore.Renewal;
import io.vmafx.spi.jobstore.StoreEvents;
import io.vmafx.spi.jobstore.StoredJob;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The jobs of a fleet in one PostgreSQL table ({@link Schema}). Claims take the oldest queued rows with
 * {@code FOR UPDATE SKIP LOCKED}, so nodes claiming at once never wait for each other nor take one job twice; every
 * claim gets a new lease token, and {@code finish}, {@code release} and {@code renew} change a row only while it holds
 * that token, so a node whose lease ran out cannot report a job that runs again elsewhere. Lease times use the
 * database's clock alone: nodes' clocks need not agree.
 */
final class PostgresJobStore implements JobStore {

    private static final System.Logger LOG = System.getLogger(PostgresJobStore.class.getName());
    private static final String COLUMNS = "id::text, seq, state, submission, reference_uri, distorted_uri, submitted_at,"
            + " started_at, finished_at, node, attempts, error, result::text, timings::text, lease_token::text";
    /** How often ended jobs past the retention are deleted. */
    private static final Duration PURGE_EVERY = Duration.ofMinutes(10);

    private final StoreLocation location;
    private final PostgresSettings settings;
    private final Connections connections;
    private volatile Notifications notifications;
    private volatile long nextPurge;

    private PostgresJobStore(StoreLocation location, PostgresSettings settings, Connections connections) {
        this.location = location;
        this.settings = settings;
        this.connections = connections;
    }

    /** Connects (waiting up to the connect timeout for a database that is not up yet) and applies the schema. */
    static PostgresJobStore open(StoreLocation location, PostgresSettings settings) throws JobStoreException {
        int connect = (int) Math.max(1, Math.min(10, settings.connect().toSeconds()));
        // A query's answer may take this long; beyond it the database counts as gone (a socket read timeout).
        int socket = 15;
        Connections connections = new Connections(location, settings.connections(), connect, socket);
        long deadline = System.nanoTime() + settings.connect().toNanos();
        JobStoreException last = null;
        long pause = 100;
        while (true) {
            try {
                int before = connections.with(Schema::apply);
                if (before < Schema.latest()) {
                    LOG.log(System.Logger.Level.INFO, location + ": job schema " + before + " -> " + Schema.latest());
                }
                return new PostgresJobStore(location, settings, connections);
            } catch (JobStoreException e) {
                last = e;
                if (e.getCause() instanceof SQLException sql && !Connections.lostConnection(sql) && !starting(sql)) {
                    break; // refused (authentication, permissions): waiting does not help
                }
            } catch (IllegalStateException e) {
                connections.close();
                throw new JobStoreException(location + ": " + e.getMessage(), e);
            }
            if (System.nanoTime() + pause * 1_000_000 > deadline) {
                break;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            pause = Math.min(pause * 2, 1000);
        }
        connections.close();
        throw new JobStoreException(last.getMessage() + " (waited up to " + settings.connect().toSeconds()
                + " s, " + PostgresSettings.CONNECT_TIMEOUT + ")", last);
    }

    /** "the database system is starting up" (57P03) and its like: worth waiting for. */
    private static boolean starting(SQLException e) {
        return "57P03".equals(e.getSQLState());
    }

    @Override
    public String describe() {
        return location.describe();
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public Optional<StoredJob> submit(NewJob job, int maxQueued) throws JobStoreException {
        String id = UUID.randomUUID().toString();
        return connections.with(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO vmafx_jobs (id, state, submission, reference_uri, distorted_uri)"
                    + " SELECT ?::uuid, 'queued', ?, ?, ? WHERE (SELECT count(*) FROM vmafx_jobs WHERE state = 'queued') < ?"
                    + " RETURNING " + COLUMNS)) {
                s.setString(1, id);
                s.setString(2, job.submission());
                s.setString(3, job.referenceUri());
                s.setString(4, job.distortedUri());
                s.setInt(5, maxQueued);
                return one(s);
            }
        });
    }

    @Override
    public Optional<StoredJob> get(String id) throws JobStoreException {
        if (!uuid(id)) {
            return Optional.empty();
        }
        return connections.with(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM vmafx_jobs WHERE id = ?::uuid")) {
                s.setString(1, id);
                return one(s).map(j -> j.withLease(null));
            }
        });
    }

    @Override
    public JobPage list(JobQuery q) throws JobStoreException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM vmafx_jobs");
        List<Object> args = new ArrayList<>();
        String and = " WHERE ";
        if (q.state() != null) {
            sql.append(and).append("state = ?");
            args.add(q.state().label());
            and = " AND ";
        }
        if (q.before() != 0) {
            sql.append(and).append("seq < ?");
            args.add(q.before());
        }
        sql.append(" ORDER BY seq DESC LIMIT ?");
        args.add(q.limit() + 1);
        return connections.with(c -> {
            try (PreparedStatement s = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    s.setObject(i + 1, args.get(i));
                }
                List<StoredJob> all = all(s);
                boolean more = all.size() > q.limit();
                List<StoredJob> page = new ArrayList<>();
                for (StoredJob j : all.subList(0, Math.min(all.size(), q.limit()))) {
                    page.add(j.withLease(null));
                }
                return new JobPage(page, more);
            }
        });
    }

    @Override
    public int queued() throws JobStoreException {
        return connections.with(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM vmafx_jobs WHERE state = 'queued'");
                 ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    @Override
    public Optional<Cancellation> cancel(String id, String reason) throws JobStoreException {
        if (!uuid(id)) {
            return Optional.empty();
        }
        return connections.with(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE vmafx_jobs SET state = 'cancelled', error = ?, cancel_reason = ?,"
                    + " finished_at = clock_timestamp() WHERE id = ?::uuid AND state = 'queued' RETURNING " + COLUMNS)) {
                s.setString(1, reason);
                s.setString(2, reason);
                s.setString(3, id);
                Optional<StoredJob> j = one(s);
                if (j.isPresent()) {
                    return Optional.of(new Cancellation(Cancellation.Kind.CANCELLED, j.get().withLease(null)));
                }
            }
            // Running: recorded; the trigger tells every node, the one that runs it stops it.
            try (PreparedStatement s = c.prepareStatement("UPDATE vmafx_jobs SET cancel_reason = coalesce(cancel_reason, ?)"
                    + " WHERE id = ?::uuid AND state = 'running' RETURNING " + COLUMNS)) {
                s.setString(1, reason);
                s.setString(2, id);
                Optional<StoredJob> j = one(s);
                if (j.isPresent()) {
                    return Optional.of(new Cancellation(Cancellation.Kind.REQUESTED, j.get().withLease(null)));
                }
            }
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM vmafx_jobs WHERE id = ?::uuid")) {
                s.setString(1, id);
                // Ended meanwhile, or never known.
                return one(s).map(j -> new Cancellation(j.state().ended() ? Cancellation.Kind.ALREADY_ENDED
                        : Cancellation.Kind.REQUESTED, j.withLease(null)));
            }
        });
    }

    @Override
    public List<StoredJob> claim(String node, int max) throws JobStoreException {
        if (max <= 0) {
            return List.of();
        }
        return connections.with(c -> {
            try (PreparedStatement s = c.prepareStatement("WITH picked AS (SELECT id FROM vmafx_jobs WHERE state = 'queued'"
                    + " ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED)"
                    + " UPDATE vmafx_jobs j SET state = 'running', node = ?, lease_token = gen_random_uuid(),"
                    + " lease_until = clock_timestamp() + make_interval(secs => ?), attempts = j.attempts + 1,"
                    + " started_at = clock_timestamp() FROM picked WHERE j.id = picked.id RETURNING "
                    + COLUMNS.replace("id::text", "j.id::text"))) {
                s.setInt(1, max);
                s.setString(2, node);
                s.setDouble(3, settings.lease().toMillis() / 1000.0);
                List<StoredJob> claimed = all(s);
                claimed.sort((a, b) -> Long.compare(a.seq(), b.seq()));
                return claimed;
            }
        });
    }

    @Override
    public Renewal renew(String node, Map<String, String> leases) throws JobStoreException {
        if (leases.isEmpty()) {
            return Renewal.NONE;
        }
        List<String> ids = new ArrayList<>(leases.keySet());
        List<String> tokens = new ArrayList<>();
        for (String id : ids) {
            tokens.add(leases.get(id));
        }
        return connections.with(c -> {
            Array idArray = c.createArrayOf("text", ids.toArray());
            Array tokenArray = c.createArrayOf("text", tokens.toArray());
            try (PreparedStatement s = c.prepareStatement("UPDATE vmafx_jobs j SET lease_until = clock_timestamp() + make_interval(secs => ?)"
                    + " FROM unnest(?::text[], ?::text[]) AS l(id, token)"
                    + " WHERE j.id = l.id::uuid AND j.lease_token = l.token::uuid AND j.state = 'running'"
                    + " RETURNING j.id::text, j.cancel_reason IS NOT NULL")) {
                s.setDouble(1, settings.lease().toMillis() / 1000.0);
                s.setArray(2, idArray);
                s.setArray(3, tokenArray);
                Set<String> held = new HashSet<>();
                Set<String> cancel = new HashSet<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        held.add(rs.getString(1));
                        if (rs.getBoolean(2)) {
                            cancel.add(rs.getString(1));
                        }
                    }
                }
                Set<String> lost = new HashSet<>(ids);
                lost.removeAll(held);
                return new Renewal(lost, cancel);
            } finally {
                idArray.free();
                tokenArray.free();
            }
        });
    }

    @Override
    public boolean finish(String id, String lease, Outcome o) throws JobStoreException {
        return connections.with(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE vmafx_jobs SET state = ?, result = ?::jsonb, timings = ?::jsonb,"
                    + " error = CASE WHEN ?::text IS NULL AND ? = 'cancelled' THEN coalesce(cancel_reason, 'cancelled') ELSE ? END,"
                    + " finished_at = clock_timestamp(), lease_token = NULL, lease_until = NULL"
                    + " WHERE id = ?::uuid AND lease_token = ?::uuid AND state = 'running'")) {
                s.setString(1, o.state().label());
                setNullable(s, 2, o.resultJson());
                setNullable(s, 3, o.timingsJson());
                setNullable(s, 4, o.error());
                s.setString(5, o.state().label());
                setNullable(s, 6, o.error());
                s.setString(7, id);
                s.setString(8, lease);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean release(String id, String lease) throws JobStoreException {
        return connections.with(c -> {
            // A job whose cancellation was asked for ends cancelled rather than running again.
            try (PreparedStatement s = c.prepareStatement("UPDATE vmafx_jobs SET"
                    + " state = CASE WHEN cancel_reason IS NULL THEN 'queued' ELSE 'cancelled' END,"
                    + " error = CASE WHEN cancel_reason IS NULL THEN error ELSE cancel_reason END,"
                    + " finished_at = CASE WHEN cancel_reason IS NULL THEN NULL ELSE clock_timestamp() END,"
                    + " started_at = CASE WHEN cancel_reason IS NULL THEN NULL ELSE started_at END,"
                    + " attempts = greatest(attempts - 1, 0), lease_token = NULL, lease_until = NULL"
                    + " WHERE id = ?::uuid AND lease_token = ?::uuid AND state = 'running'")) {
                s.setString(1, id);
                s.setString(2, lease);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public int expireLeases() throws JobStoreException {
        int n = connections.with(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE vmafx_jobs j SET"
                    + " state = CASE WHEN cancel_reason IS NOT NULL THEN 'cancelled' WHEN attempts >= ? THEN 'failed' ELSE 'queued' END,"
                    + " error = CASE WHEN cancel_reason IS NOT NULL THEN cancel_reason WHEN attempts >= ? THEN"
                    + " format('failed: its node (%s) stopped renewing the lease on attempt %s of %s (" + PostgresSettings.MAX_ATTEMPTS
                    + "): the node died, or lost the job store for longer than the lease', node, attempts, ?::int) END,"
                    + " finished_at = CASE WHEN cancel_reason IS NOT NULL OR attempts >= ? THEN clock_timestamp() END,"
                    + " started_at = CASE WHEN cancel_reason IS NOT NULL OR attempts >= ? THEN started_at END,"
                    + " lease_token = NULL, lease_until = NULL"
                    + " WHERE j.id IN (SELECT id FROM vmafx_jobs WHERE state = 'running' AND lease_until < clock_timestamp()"
                    + " FOR UPDATE SKIP LOCKED)")) {
                for (int i = 1; i <= 5; i++) {
                    s.setInt(i, settings.maxAttempts());
                }
                return s.executeUpdate();
            }
        });
        purge();
        return n;
    }

    /** Deletes ended jobs older than the retention, every {@link #PURGE_EVERY} at most. */
    private void purge() throws JobStoreException {
        if (settings.retention().isZero() || System.nanoTime() < nextPurge) {
            return;
        }
        nextPurge = System.nanoTime() + PURGE_EVERY.toNanos();
        int n = connections.with(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM vmafx_jobs WHERE finished_at IS NOT NULL"
                    + " AND state IN ('succeeded', 'failed', 'cancelled') AND finished_at < clock_timestamp() - make_interval(secs => ?)")) {
                s.setDouble(1, settings.retention().toSeconds());
                return s.executeUpdate();
            }
        });
        if (n > 0) {
            LOG.log(System.Logger.Level.INFO, location + ": deleted " + n + " job(s) ended more than "
                    + settings.retention().toHours() + " h ago (" + PostgresSettings.RETENTION + ")");
        }
    }

    @Override
    public Duration renewEvery() {
        return settings.lease().dividedBy(3);
    }

    @Override
    public Duration pollEvery() {
        return settings.poll();
    }

    @Override
    public synchronized void watch(StoreEvents events) {
        if (notifications != null) {
            notifications.close();
        }
        notifications = new Notifications(connections, events);
    }

    @Override
    public synchronized void close() {
        if (notifications != null) {
            notifications.close();
            notifications = null;
        }
        connections.close();
    }

    private static boolean uuid(String id) {
        try {
            UUID.fromString(id);
            return id.length() == 36;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void setNullable(PreparedStatement s, int i, String v) throws SQLException {
        if (v == null) {
            s.setNull(i, Types.VARCHAR);
        } else {
            s.setString(i, v);
        }
    }

    private static Optional<StoredJob> one(PreparedStatement s) throws SQLException {
        List<StoredJob> l = all(s);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    private static List<StoredJob> all(PreparedStatement s) throws SQLException {
        List<StoredJob> l = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                l.add(new StoredJob(rs.getString(1), rs.getLong(2), JobState.ofLabel(rs.getString(3)), rs.getString(4),
                        rs.getString(5), rs.getString(6), instant(rs, 7), instant(rs, 8), instant(rs, 9), rs.getString(10),
                        rs.getInt(11), rs.getString(12), rs.getString(13), rs.getString(14), rs.getString(15)));
            }
        }
        return l;
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
