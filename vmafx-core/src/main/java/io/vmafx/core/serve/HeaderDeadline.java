package io.vmafx.core.serve;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Closes a connection that has not delivered a whole request line and headers {@code timeout} after it opened, or
 * after its last answer was sent. Jetty's idle timeout alone does not bound that: it restarts with every byte, so a
 * client that sends a header byte every few seconds (slow-loris) would hold its connection for ever. Jetty parses
 * headers without a thread of its own per connection, so such clients cost only their connections, and this
 * bounds how long.
 *
 * <p>A bean of the connector: Jetty tells it of every connection opened and closed. {@link ApiServer} calls
 * {@link #requestStarted} when a request reaches it (its headers are complete) and completes the request through
 * {@link #whenDone}, which starts the clock for the connection's next request.
 */
final class HeaderDeadline implements Connection.Listener {

    private final Scheduler scheduler;
    private final long timeoutNanos;
    private final Map<Connection, Watch> watches = new ConcurrentHashMap<>();

    HeaderDeadline(Scheduler scheduler, Duration timeout) {
        this.scheduler = scheduler;
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void onOpened(Connection connection) {
        Watch w = new Watch(connection);
        watches.put(connection, w);
        w.arm();
    }

    @Override
    public void onClosed(Connection connection) {
        Watch w = watches.remove(connection);
        if (w != null) {
            w.disarm();
        }
    }

    /** The request on {@code connection} has its headers: no deadline until it has been answered. */
    void requestStarted(Connection connection) {
        Watch w = watches.get(connection);
        if (w != null) {
            w.disarm();
        }
    }

    /** {@code callback}, which when completed (either way) starts the deadline of the connection's next request. */
    Callback whenDone(Connection connection, Callback callback) {
        return new Callback() {
            @Override
            public void succeeded() {
                rearm();
                callback.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                rearm();
                callback.failed(x);
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }

            private void rearm() {
                Watch w = watches.get(connection);
                if (w != null) {
                    w.arm();
                }
            }
        };
    }

    /** One connection's deadline; a generation number tells a stale timer from the current one. */
    private final class Watch {
        private final Connection connection;
        private Scheduler.Task task;
        private long generation;

        Watch(Connection connection) {
            this.connection = connection;
        }

        synchronized void arm() {
            cancel();
            long g = ++generation;
            task = scheduler.schedule(() -> expire(g), timeoutNanos, TimeUnit.NANOSECONDS);
        }

        synchronized void disarm() {
            generation++;
            cancel();
        }

        private void cancel() {
            if (task != null) {
                task.cancel();
                task = null;
            }
        }

        private void expire(long g) {
            synchronized (this) {
                if (g != generation) {
                    return;
                }
                task = null;
            }
            // No answer: the request never arrived, and a client this slow would not read one either.
            connection.getEndPoint().close();
        }
    }
}
