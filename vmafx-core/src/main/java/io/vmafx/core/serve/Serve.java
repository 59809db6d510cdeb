package io.vmafx.core.serve;

import io.vmafx.core.node.Node;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A started node behind the API: {@link #start} binds the address, {@link #drain} stops taking jobs, lets the
 * running ones finish up to a deadline, cancels the rest and stops the server. The node itself is closed by its
 * owner, after the drain.
 */
public final class Serve implements AutoCloseable {

    private final ServeSettings settings;
    private final JobService jobs;
    private final NodeMetrics metrics;
    private final ApiServer api;
    private boolean closed;

    private Serve(ServeSettings settings, JobService jobs, NodeMetrics metrics, ApiServer api) {
        this.settings = settings;
        this.jobs = jobs;
        this.metrics = metrics;
        this.api = api;
    }

    /**
     * Starts the job slots and the API on {@code settings}' address.
     *
     * @throws IOException the address cannot be bound (in use, not local)
     */
    public static Serve start(Node node, ServeSettings settings) throws IOException {
        ApiInputPolicy policy = new ApiInputPolicy(settings.inputs(), node.uriRules());
        JobService jobs = new JobService(node.executor(), settings.slots(), settings.queue(), policy);
        NodeMetrics metrics = new NodeMetrics(node, jobs::running, jobs::queued, settings.slots(), settings.queue(), jobs::accepting);
        jobs.metrics(metrics);
        ApiServer api;
        try {
            api = new ApiServer(new InetSocketAddress(settings.address(), settings.port()), jobs, metrics, settings.token(),
                    settings.limits(), policy);
        } catch (IOException | RuntimeException e) {
            try {
                jobs.drain(Duration.ZERO, "cancelled: the API could not start");
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
        return new Serve(settings, jobs, metrics, api);
    }

    /** {@code http://host:port}, with the port the kernel picked. */
    public String url() {
        InetSocketAddress a = api.address();
        String host = a.getAddress() instanceof Inet6Address ? "[" + a.getAddress().getHostAddress() + "]" : a.getAddress().getHostAddress();
        return "http://" + host + ":" + a.getPort();
    }

    public JobService jobs() {
        return jobs;
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    /**
     * Shutdown: no new jobs (503), queued ones cancelled, running ones given up to the drain deadline, then
     * cancelled (ffmpeg killed, inputs released); then the server stops. Returns one line saying what happened.
     */
    public String drain() throws InterruptedException {
        return drain(settings.drain());
    }

    public String drain(Duration deadline) throws InterruptedException {
        String reason = "cancelled: the node shut down and the job did not finish within " + describe(deadline)
                + " (VMAFX_NODE_DRAIN)";
        int[] r;
        try {
            r = jobs.drain(deadline, reason);
        } finally {
            close();
        }
        return r[0] + " running job(s) finished, " + r[1] + " cancelled";
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** Stops the server (jobs are drained by {@link #drain}). Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                if (jobs.accepting()) {
                    jobs.drain(Duration.ZERO, "cancelled: the API was closed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                api.close();
            }
        }
    }
}
