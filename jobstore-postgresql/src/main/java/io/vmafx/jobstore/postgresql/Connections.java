package io.vmafx.jobstore.postgresql;

import io.vmafx.spi.jobstore.JobStoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A few connections to the database, reused: at most {@code size} at once, each opened when first needed. A
 * connection that failed is closed, never reused, so that a database restart costs one failed call per connection;
 * a call on an idle connection that turns out to be dead (the database restarted while it idled) is tried once more
 * on a new one, since nothing of it reached the database.
 */
final class Connections implements AutoCloseable {

    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final StoreLocation location;
    private final Properties properties;
    private final org.postgresql.Driver driver = new org.postgresql.Driver();
    private final ArrayBlockingQueue<Connection> idle;
    private final Semaphore permits;
    private final long waitMillis;
    private volatile boolean closed;

    Connections(StoreLocation location, int size, int connectSeconds, int socketSeconds) {
        this.location = location;
        this.properties = location.properties(connectSeconds, socketSeconds);
        this.idle = new ArrayBlockingQueue<>(size);
        this.permits = new Semaphore(size, true);
        this.waitMillis = TimeUnit.SECONDS.toMillis(socketSeconds);
    }

    /** A new connection of its own, for the caller to close (the listener's). */
    Connection open() throws SQLException {
        Connection c = driver.connect(location.jdbcUrl(), properties);
        if (c == null) {
            throw new SQLException("the driver does not take " + location.jdbcUrl());
        }
        return c;
    }

    <T> T with(Work<T> work) throws JobStoreException {
        if (closed) {
            throw new JobStoreException(location + ": the store is closed");
        }
        try {
            if (!permits.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
                throw new JobStoreException(location + ": every connection stayed busy for " + waitMillis / 1000 + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobStoreException(location + ": interrupted while waiting for a connection");
        }
        try {
            Connection c = idle.poll();
            boolean reused = c != null;
            for (int attempt = 0; ; attempt++) {
                if (c == null) {
                    try {
                        c = open();
                    } catch (SQLException e) {
                        throw failure(e);
                    }
                }
                try {
                    T t = work.run(c);
                    if (!c.getAutoCommit()) {
                        c.rollback(); // a Work that left a transaction open does not leave it to the next
                        c.setAutoCommit(true);
                    }
                    idle.offer(c);
                    return t;
                } catch (SQLException e) {
                    quietClose(c);
                    c = null;
                    if (reused && attempt == 0 && lostConnection(e)) {
                        continue; // the idle connection was dead before this call reached the database
                    }
                    throw failure(e);
                }
            }
        } finally {
            permits.release();
        }
    }

    /** Whether {@code e} says the connection is gone (SQLSTATE class 08, or the server shutting down). */
    static boolean lostConnection(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("57P"));
    }

    JobStoreException failure(SQLException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        m = m.replaceAll("\\s+", " ").strip();
        if (m.length() > 400) {
            m = m.substring(0, 400) + "...";
        }
        return new JobStoreException(location + ": " + m, e);
    }

    static void quietClose(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // already gone
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c;
        while ((c = idle.poll()) != null) {
            quietClose(c);
        }
    }
}
