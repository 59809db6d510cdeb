package io.vmafx.core.jobstore;

import io.vmafx.core.config.ConfigException;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.Variable;
import io.vmafx.spi.Availability;
import io.vmafx.spi.jobstore.JobStore;
import io.vmafx.spi.jobstore.JobStoreException;
import io.vmafx.spi.jobstore.JobStoreProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Opens the job store {@code VMAFX_JOB_STORE} names: unset or {@code memory}, the embedded {@link MemoryJobStore};
 * {@code scheme://...}, the {@link JobStoreProvider} of that scheme found by {@link ServiceLoader} in the node's
 * module layer (on the class path, the class path's). Called once by {@code serve} at start-up.
 */
public final class JobStores {

    private JobStores() {
    }

    /** The providers found, by scheme (the first of a scheme wins; a second is a configuration error). */
    public static Map<String, JobStoreProvider> providers(ModuleLayer layer) throws ConfigException {
        Map<String, JobStoreProvider> found = new LinkedHashMap<>();
        ServiceLoader<JobStoreProvider> loader = layer == ModuleLayer.boot() && JobStoreProvider.class.getModule().getLayer() == null
                ? ServiceLoader.load(JobStoreProvider.class) : ServiceLoader.load(layer, JobStoreProvider.class);
        try {
            for (JobStoreProvider p : loader) {
                JobStoreProvider before = found.putIfAbsent(p.scheme(), p);
                if (before != null && before.getClass() != p.getClass()) {
                    throw new ConfigException("two job store providers claim the scheme " + p.scheme() + ": "
                            + before.getClass().getModule().getName() + " and " + p.getClass().getModule().getName());
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new ConfigException("a job store provider cannot be loaded: " + e.getMessage());
        }
        return found;
    }

    /**
     * The store {@code config} names.
     *
     * @throws ConfigException   the setting names no store here, or its provider cannot work here (exit 2)
     * @throws JobStoreException the store cannot be reached (exit 1)
     */
    public static JobStore open(NodeConfig config, ModuleLayer layer) throws ConfigException, JobStoreException {
        String name = config.sourceOf(Variable.JOB_STORE.env());
        if (name.equals("default")) {
            name = Variable.JOB_STORE.env();
        }
        Optional<String> value = config.get(Variable.JOB_STORE).map(String::strip).filter(s -> !s.isEmpty());
        if (value.isEmpty() || value.get().equals("memory")) {
            return new MemoryJobStore();
        }
        String location = value.get();
        int colon = location.indexOf("://");
        if (colon <= 0) {
            // Not echoed: a malformed location may hold a password.
            throw new ConfigException(name + ": expected memory or scheme://... (postgresql://host:port/db), got a value"
                    + " without a scheme");
        }
        String scheme = location.substring(0, colon).toLowerCase(Locale.ROOT);
        Map<String, JobStoreProvider> providers = providers(layer);
        JobStoreProvider provider = providers.get(scheme);
        if (provider == null) {
            List<String> known = new ArrayList<>(List.of("memory"));
            known.addAll(providers.keySet());
            throw new ConfigException(name + ": no job store provider for '" + printable(scheme) + "://' in this node (found: "
                    + String.join(", ", known) + ")");
        }
        Availability a;
        try {
            a = provider.availability(config);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        if (!a.usable()) {
            throw new ConfigException(name + ": the " + scheme + " job store cannot work here: " + a.reason());
        }
        try {
            return provider.open(location, config);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + ": " + e.getMessage());
        }
    }

    /** {@code s} with control characters shown as '?', at most 200 characters: it goes into one error line. */
    private static String printable(String s) {
        String t = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }
}
