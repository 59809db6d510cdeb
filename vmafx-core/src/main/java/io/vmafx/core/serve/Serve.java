package io.vmafx.core.serve;

import io.vmafx.core.config.ConfigException;
import io.vmafx.core.discovery.ProviderRegistry;
import io.vmafx.core.jobstore.JobStores;
import io.vmafx.core.node.Node;
import io.vmafx.spi.jobstore.JobStore;
import io.vmafx.spi.jobstore.JobStoreException;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A started node behind the API: {@link #start} opens the job store ({@code VMAFX_JOB_STORE}), binds the address, {@link #drain} stops taking jobs, lets the
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
        JobStore store;
        try {
            store = JobStores.open(node.config(), ProviderRegistry.nodeLayer());
        } catch (ConfigException e) {
            throw new StoreUnusable(true, e.getMessage(), e);
        } catch (JobStoreException e) {
            throw new StoreUnusable(false, "the job store cannot be opened: " + e.getMessage(), e);
        }
        return start(node, settings, store);
    }

    /**
     * Starts the job slots and the API on {@code store}, which the serve closes when it stops (the fleet bench passes
     * stores it measures).
     */
    public static Serve start(Node node, ServeSettings settings, JobStore store) throws IOException {
        ApiInputPolicy policy = new ApiInputPolicy(settings.inputs(), node.uriRules());
        JobService jobs = new JobService(store, node.executor(), settings.slots(), settings.queue(), policy, nodeId());
        NodeMetrics metrics = new NodeMetrics(node, jobs::running, jobs::queued, settings.slots(), settings.queue(), jobs::accepting);
        jobs.metrics(metrics);
        jobs.start();
        ApiServer api;
        try {
            api = new ApiServer(new InetSocketAddress(settings.address(), settings.port()), jobs, metrics, settings.token(),
                    settings.limits(), policy);
        } catch (IOException | RuntimeException e) {
            try {
                jobs.drain(Duration.ZERO, "cancelled: the API could not start");
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            } finally {
                store.close();
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

    /** Where jobs are kept, without credentials ({@code memory}, {@code postgresql://db:5432/vmafx}). */
    public String store() {
        return jobs.store().describe();
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
        JobService.Drained r;
        try {
            r = jobs.drain(deadline, reason);
        } finally {
            close();
        }
        return r.finished() + " running job(s) finished, " + r.cancelled() + " cancelled"
                + (jobs.store().shared() ? ", " + r.released() + " put back in the queue" : "");
    }

    /** This node's name in a shared store: host, process id and a random part (a restarted pod is a new node). */
    static String nodeId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "node";
        }
        String rnd = String.format("%06x", new java.security.SecureRandom().nextInt(1 << 24));
        return host + "-" + ProcessHandle.current().pid() + "-" + rnd;
    }

    /** The job store named by the settings cannot be used: a bad setting (exit 2) or out of reach (exit 1). */
    public static final class StoreUnusable extends IOException {
        private static final long serialVersionUID = 1L;
        private final boolean badSetting;

        StoreUnusable(boolean badSetting, String message, Throwable cause) {
            super(message, cause);
            this.badSetting = badSetting;
        }

        public boolean badSetting() {
            return badSetting;
        }
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
                jobs.store().close();
            }
        }
    }
}
