package io.vmafx.jobstore.postgresql;

import io.vmafx.spi.NodeSettings;
import java.time.Duration;
import java.util.Set;

/**
 * The PostgreSQL store's own settings.
 *
 * @param lease        how long a claim holds without renewal: a node that died gives its jobs back this long after
 *                     ({@code VMAFX_JOB_STORE_LEASE}, 30s; renewed every third of it)
 * @param maxAttempts  how many nodes may claim a job whose node died before it fails ({@code VMAFX_JOB_STORE_MAX_ATTEMPTS}, 3)
 * @param poll         how often a node looks for queued jobs without a notification ({@code VMAFX_JOB_STORE_POLL}, 1s)
 * @param connect      how long {@code serve} waits at start for the database, and the bound of one connection
 *                     attempt ({@code VMAFX_JOB_STORE_CONNECT_TIMEOUT}, 30s)
 * @param retention    how long ended jobs are kept ({@code VMAFX_JOB_STORE_RETENTION}, 7 days; 0: forever)
 * @param connections  connections each node holds at most, beside its listener ({@code VMAFX_JOB_STORE_CONNECTIONS}, 4)
 */
record PostgresSettings(Duration lease, int maxAttempts, Duration poll, Duration connect, Duration retention, int connections) {

    static final String LEASE = "VMAFX_JOB_STORE_LEASE";
    static final String MAX_ATTEMPTS = "VMAFX_JOB_STORE_MAX_ATTEMPTS";
    static final String POLL = "VMAFX_JOB_STORE_POLL";
    static final String CONNECT_TIMEOUT = "VMAFX_JOB_STORE_CONNECT_TIMEOUT";
    static final String RETENTION = "VMAFX_JOB_STORE_RETENTION";
    static final String CONNECTIONS = "VMAFX_JOB_STORE_CONNECTIONS";
    static final Set<String> NAMES = Set.of(StoreLocation.USER, StoreLocation.PASSWORD, StoreLocation.PASSWORD_FILE,
            LEASE, MAX_ATTEMPTS, POLL, CONNECT_TIMEOUT, RETENTION, CONNECTIONS);

    static PostgresSettings of(NodeSettings s) {
        Duration lease = s.duration(LEASE, Duration.ofSeconds(30));
        if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(LEASE + ": expected 1s to 1h, got " + lease.toMillis() + "ms");
        }
        Duration poll = s.duration(POLL, Duration.ofSeconds(1));
        if (poll.compareTo(Duration.ofMillis(10)) < 0 || poll.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException(POLL + ": expected 10ms to 1m, got " + poll.toMillis() + "ms");
        }
        Duration connect = s.duration(CONNECT_TIMEOUT, Duration.ofSeconds(30));
        if (connect.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(CONNECT_TIMEOUT + ": expected at least 1s");
        }
        return new PostgresSettings(lease, integer(s, MAX_ATTEMPTS, 3, 1, 100), poll, connect,
                s.duration(RETENTION, Duration.ofDays(7)), integer(s, CONNECTIONS, 4, 1, 64));
    }

    private static int integer(NodeSettings s, String name, int fallback, int min, int max) {
        String v = s.get(name).map(String::strip).orElse("");
        if (v.isEmpty()) {
            return fallback;
        }
        if (v.matches("[0-9]{1,4}") && Integer.parseInt(v) >= min && Integer.parseInt(v) <= max) {
            return Integer.parseInt(v);
        }
        throw new IllegalArgumentException(name + ": expected a whole number from " + min + " to " + max + ", got '"
                + (v.length() > 20 ? v.substring(0, 20) + "..." : v) + "'");
    }
}
