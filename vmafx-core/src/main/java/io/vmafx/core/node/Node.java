package io.vmafx.core.node;

import io.vmafx.api.uri.UriRules;
import io.vmafx.core.config.ConfigException;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.RcloneRemotes;
import io.vmafx.core.config.Variable;
import io.vmafx.core.discovery.DiscoveryException;
import io.vmafx.core.discovery.ProviderRegistry;
import io.vmafx.core.job.JobExecutor;
import io.vmafx.core.job.NetworkReadTimeout;
import io.vmafx.core.job.StorageRouter;
import io.vmafx.core.score.LibvmafScorer;
import io.vmafx.core.score.ScoreOptions;
import io.vmafx.core.score.Scorer;
import io.vmafx.core.score.VmafCliScorer;
import io.vmafx.spi.Availability;
import io.vmafx.spi.bypass.BypassException;
import io.vmafx.spi.bypass.BypassProvider;
import io.vmafx.spi.storage.StorageProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A running node: its configuration, the providers it found, the router, the bypass (when on and usable) and
 * the executor. {@link #close()} releases every provider's pool, mount and probe.
 *
 * <p>Starting, it first removes what killed nodes left on this machine (their rclone processes, mounts and
 * temporary files, whose credentials would otherwise stay usable): every provider's {@code reapLeftovers} and the
 * stale directories beside its own {@link RuntimeDir}. What it removed is logged at {@code info}.
 */
public final class Node implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Node.class.getName());

    private final NodeConfig config;
    private final ProviderRegistry registry;
    private final StorageRouter router;
    private final BypassProvider bypass;
    private final String bypassStatus;
    private final JobExecutor executor;
    private final RuntimeDir runtimeDir;
    private final UriRules uriRules;

    private Node(NodeConfig config, ProviderRegistry registry, StorageRouter router, BypassProvider bypass,
                 String bypassStatus, JobExecutor executor, RuntimeDir runtimeDir, UriRules uriRules) {
        this.config = config;
        this.registry = registry;
        this.router = router;
        this.bypass = bypass;
        this.bypassStatus = bypassStatus;
        this.executor = executor;
        this.runtimeDir = runtimeDir;
        this.uriRules = uriRules;
    }

    /** Discovers providers in the node's module layer and the plugins directory, then {@link #start(NodeConfig, ProviderRegistry, Map)}. */
    public static Node start(NodeConfig config, Map<String, String> env) throws ConfigException, DiscoveryException {
        return start(config, ProviderRegistry.discover(ProviderRegistry.nodeLayer(), config.pluginsDir()), env);
    }

    /**
     * Starts a node over {@code registry}.
     *
     * @throws ConfigException a provider rejected one of its settings (the message names the variable)
     */
    public static Node start(NodeConfig config, ProviderRegistry registry, Map<String, String> env) throws ConfigException {
        RuntimeDir runtimeDir = null;
        try {
            registry.problems().forEach(p -> LOG.log(System.Logger.Level.WARNING, p));
            Set<String> pluginSchemes = new HashSet<>();
            for (ProviderRegistry.Found<StorageProvider> f : registry.storages()) {
                pluginSchemes.addAll(f.provider().schemes());
            }
            UriRules rules = config.uriRules(pluginSchemes, RcloneRemotes.configured(config, env));
            StorageRouter router = new StorageRouter(registry, config, config.storageMode());
            // Asking every provider now turns a bad provider setting into a start-up error, not a job failure.
            for (ProviderRegistry.Found<StorageProvider> f : registry.storages()) {
                try {
                    router.availability(f.name());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(e.getMessage());
                }
            }
            long t0 = System.nanoTime();
            List<String> reaped = new ArrayList<>();
            try {
                runtimeDir = RuntimeDir.open(Path.of(System.getProperty("java.io.tmpdir")));
                reaped.addAll(runtimeDir.reaped());
                LOG.log(System.Logger.Level.DEBUG, () -> "start-up: runtime directory ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "no private temporary directory for the node (" + e.getMessage()
                        + "); the scorers use " + System.getProperty("java.io.tmpdir") + " directly");
            }
            reaped.addAll(reapLeftovers(config, registry));
            long reapMillis = (System.nanoTime() - t0) / 1_000_000;
            if (reaped.isEmpty()) {
                LOG.log(System.Logger.Level.DEBUG, () -> "start-up: nothing left by killed nodes (checked in " + reapMillis + " ms)");
            } else {
                LOG.log(System.Logger.Level.INFO, "start-up: removed " + reaped.size() + " things killed nodes left, in " + reapMillis + " ms");
                reaped.forEach(line -> LOG.log(System.Logger.Level.INFO, "start-up: " + line));
            }
            String[] status = new String[1];
            BypassProvider bypass = startBypass(config, registry, status);
            Path tempRoot = runtimeDir == null ? null : runtimeDir.path();
            Scorer scorer = scorer(config, tempRoot);
            String noBypass = config.bypassEnabled() ? "bypass is " + status[0] : JobExecutor.BYPASS_OFF;
            JobExecutor executor = new JobExecutor(router, config, rules, scorer,
                    ScoreOptions.DEFAULTS.withModels(config.defaultModels()), bypass, noBypass);
            return new Node(config, registry, router, bypass, status[0], executor, runtimeDir, rules);
        } catch (ConfigException | RuntimeException e) {
            registry.close();
            if (runtimeDir != null) {
                runtimeDir.close();
            }
            throw e;
        }
    }

    /**
     * The configured scorer, its runs' private directories in {@code tempRoot} (null: the system's). The libvmaf one
     * gives URL inputs libavformat's {@code rw_timeout}: a read that waits {@code VMAFX_READ_TIMEOUT} (plus the
     * loopback margin, so an http-serve rclone's own error comes first) for a byte fails, so a server that accepts
     * and never answers cannot hold a job.
     */
    public static Scorer scorer(NodeConfig config, Path tempRoot) {
        if (config.scorer().equals(VmafCliScorer.NAME)) {
            return new VmafCliScorer(config.get(Variable.VMAF_BIN).orElse("vmaf"), config.scoreThreads(), tempRoot);
        }
        long micros = NetworkReadTimeout.rwTimeoutMicros(config, "http://127.0.0.1/");
        return new LibvmafScorer(config.ffprobe(), config.scoreThreads(), tempRoot, List.of("rw_timeout=" + micros));
    }

    /** Every installed provider's {@code reapLeftovers}, storage and bypass alike; a provider that throws is skipped. */
    private static List<String> reapLeftovers(NodeConfig config, ProviderRegistry registry) {
        List<String> lines = new ArrayList<>();
        for (ProviderRegistry.Found<StorageProvider> f : registry.storages()) {
            long t0 = System.nanoTime();
            try {
                lines.addAll(f.provider().reapLeftovers(config));
                LOG.log(System.Logger.Level.DEBUG, () -> "start-up: storage " + f.name() + " checked for leftovers in "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms");
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "storage " + f.name() + ": removing what killed nodes left failed: " + e);
            }
        }
        for (ProviderRegistry.Found<BypassProvider> f : registry.bypasses()) {
            long t0 = System.nanoTime();
            try {
                lines.addAll(f.provider().reapLeftovers(config));
                LOG.log(System.Logger.Level.DEBUG, () -> "start-up: bypass " + f.name() + " checked for leftovers in "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms");
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "bypass " + f.name() + ": removing what killed nodes left failed: " + e);
            }
        }
        return lines;
    }

    private static BypassProvider startBypass(NodeConfig config, ProviderRegistry registry, String[] status)
            throws ConfigException {
        if (!config.bypassEnabled()) {
            status[0] = "off (VMAFX_EBPF_BYPASS=1 turns it on)";
            return null;
        }
        if (registry.bypasses().isEmpty()) {
            status[0] = "on, but no bypass module is installed";
            LOG.log(System.Logger.Level.WARNING, "VMAFX_EBPF_BYPASS=1 but " + status[0]);
            return null;
        }
        StringBuilder reasons = new StringBuilder();
        for (ProviderRegistry.Found<BypassProvider> f : registry.bypasses()) {
            Availability a;
            try {
                a = f.provider().availability(config);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
            try {
                if (!a.usable()) {
                    throw new BypassException(a.reason());
                }
                f.provider().start(config);
                status[0] = "on (" + f.name() + ")";
                return f.provider();
            } catch (BypassException e) {
                reasons.append(reasons.length() == 0 ? "" : "; ").append(f.name()).append(": ").append(e.getMessage());
            }
        }
        // The node never fails because of the bypass: jobs read through storage as before.
        status[0] = "on, but not usable: " + reasons;
        LOG.log(System.Logger.Level.WARNING, "bypass not used, reading through storage: " + reasons);
        return null;
    }

    public NodeConfig config() {
        return config;
    }

    public ProviderRegistry registry() {
        return registry;
    }

    public StorageRouter router() {
        return router;
    }

    public JobExecutor executor() {
        return executor;
    }

    /** How the node parses inputs: its configured remotes, plugin schemes and cloud-scheme remotes (the executor's rules). */
    public UriRules uriRules() {
        return uriRules;
    }

    /** The started bypass, if any. */
    public Optional<BypassProvider> bypass() {
        return Optional.ofNullable(bypass);
    }

    /** One line on the bypass: off, on, or on but unusable and why. */
    public String bypassStatus() {
        return bypassStatus;
    }

    /** Stops the executor and releases every provider's pools, mounts and probes. Idempotent. */
    @Override
    public void close() {
        executor.close();
        registry.close();
        if (runtimeDir != null) {
            runtimeDir.close();
        }
    }
}
