package io.vmafx.jobstore.postgresql;

import io.vmafx.spi.jobstore.StoreEvents;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * One connection that {@code LISTEN}s on {@code vmafx_jobs} and hands what arrives to the node: {@code q} (a job was
 * queued) and {@code c:<id>} (a running job is to be cancelled). When the connection is lost it reconnects with a
 * growing pause, and tells the node "queued" once back, so that a claim poll looks at what it missed meanwhile;
 * cancellations it missed reach their node through its next lease renewal.
 */
final class Notifications implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Notifications.class.getName());
    private final Connections connections;
    private final StoreEvents events;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection current;

    Notifications(Connections connections, StoreEvents events) {
        this.connections = connections;
        this.events = events;
        this.thread = new Thread(this::run, "vmafx-jobstore-listen");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long pause = 100;
        boolean missed = false;
        while (!closed) {
            try (Connection c = connections.open()) {
                current = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN vmafx_jobs");
                }
                if (missed) {
                    LOG.log(System.Logger.Level.INFO, "job store notifications are back");
                    events.queued();
                }
                pause = 100;
                missed = false;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] got = pg.getNotifications(500);
                    if (got == null) {
                        continue;
                    }
                    for (PGNotification n : got) {
                        String p = n.getParameter();
                        if (p.equals("q")) {
                            events.queued();
                        } else if (p.startsWith("c:")) {
                            events.cancelRequested(p.substring(2));
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (!missed) {
                    LOG.log(System.Logger.Level.WARNING, "job store notifications lost, reconnecting: " + oneLine(e));
                }
                missed = true;
            } finally {
                current = null;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
            pause = Math.min(pause * 2, 2000);
        }
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.replaceAll("\\s+", " ").strip();
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        Connections.quietClose(current);
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
