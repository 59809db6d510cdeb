package io.vmafx.core.discovery;

import io.vmafx.spi.bypass.BypassProvider;
import io.vmafx.spi.storage.StorageProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * Every storage and bypass provider of this node: those in the node's own module layer and those of the
 * plugin jars in the plugins directory, found with {@link ServiceLoader}.
 *
 * <p>Two built-in providers with one name stop start-up ({@link DiscoveryException}, naming both modules).
 * A plugin that cannot work (broken jar, constructor that throws, a name already taken) is left out with a
 * problem line naming its jar; the node runs on without it.
 */
public final class ProviderRegistry implements AutoCloseable {

    /** A provider and where it came from. */
    public record Found<T>(T provider, String name, String module, String location, boolean plugin) {
    }

    private final Map<String, Found<StorageProvider>> storages;
    private final Map<String, Found<BypassProvider>> bypasses;
    private final List<String> problems;

    private ProviderRegistry(Map<String, Found<StorageProvider>> storages, Map<String, Found<BypassProvider>> bypasses,
                             List<String> problems) {
        this.storages = storages;
        this.bypasses = bypasses;
        this.problems = List.copyOf(problems);
    }

    /**
     * Discovers providers in {@code nodeLayer} and in the jars of {@code pluginsDir} (a layer above it).
     *
     * @throws DiscoveryException when two providers of the node itself share a name
     */
    public static ProviderRegistry discover(ModuleLayer nodeLayer, Path pluginsDir) throws DiscoveryException {
        PluginLayer.Result plugins = PluginLayer.load(pluginsDir, nodeLayer);
        List<String> problems = new ArrayList<>(plugins.problems());
        var storages = collect(plugins.layer(), nodeLayer, StorageProvider.class, StorageProvider::name, problems);
        var bypasses = collect(plugins.layer(), nodeLayer, BypassProvider.class, BypassProvider::name, problems);
        return new ProviderRegistry(storages, bypasses, problems);
    }

    /** The layer the node's own modules live in: the one holding vmafx-api, or the boot layer on the class path. */
    public static ModuleLayer nodeLayer() {
        ModuleLayer layer = StorageProvider.class.getModule().getLayer();
        return layer != null ? layer : ModuleLayer.boot();
    }

    /** Providers given directly (tests and embedded use); names must be unique. */
    public static ProviderRegistry of(List<StorageProvider> storage, List<BypassProvider> bypass) throws DiscoveryException {
        Map<String, Found<StorageProvider>> s = new LinkedHashMap<>();
        for (StorageProvider p : storage) {
            add(s, found(p, p.name(), false), "storage");
        }
        Map<String, Found<BypassProvider>> b = new LinkedHashMap<>();
        for (BypassProvider p : bypass) {
            add(b, found(p, p.name(), false), "bypass");
        }
        return new ProviderRegistry(s, b, List.of());
    }

    private static <T> Map<String, Found<T>> collect(ModuleLayer layer, ModuleLayer nodeLayer, Class<T> service,
                                                     Function<T, String> naming, List<String> problems)
            throws DiscoveryException {
        Map<String, Found<T>> byName = new LinkedHashMap<>();
        String kind = service == StorageProvider.class ? "storage" : "bypass";
        List<Found<T>> plugins = new ArrayList<>();
        for (ServiceLoader.Provider<T> candidate : ServiceLoader.load(layer, service).stream().toList()) {
            Module module = candidate.type().getModule();
            boolean plugin = module.isNamed() && module.getLayer() != nodeLayer;
            T instance;
            try {
                instance = candidate.get();
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                String what = kind + " provider " + candidate.type().getName() + " in " + describe(module);
                if (!plugin) {
                    throw new DiscoveryException(what + " cannot start: " + rootMessage(e));
                }
                problems.add(what + " cannot start: " + rootMessage(e) + "; left out");
                continue;
            }
            Found<T> f = found(instance, naming.apply(instance), plugin);
            if (plugin) {
                plugins.add(f);
            } else {
                add(byName, f, kind);
            }
        }
        // Plugins come after the node's own providers, so a clash always names the plugin as the one left out.
        for (Found<T> f : plugins) {
            Found<T> taken = byName.get(f.name());
            if (taken != null) {
                problems.add("plugin jar " + f.location() + ": " + kind + " provider name '" + f.name() + "' of module "
                        + f.module() + " is already taken by module " + taken.module() + "; left out");
            } else {
                byName.put(f.name(), f);
            }
        }
        return byName;
    }

    private static <T> void add(Map<String, Found<T>> byName, Found<T> f, String kind) throws DiscoveryException {
        Found<T> taken = byName.putIfAbsent(f.name(), f);
        if (taken != null) {
            throw new DiscoveryException("two " + kind + " providers are named '" + f.name() + "': module "
                    + taken.module() + " and module " + f.module());
        }
    }

    private static <T> Found<T> found(T provider, String name, boolean plugin) {
        Module m = provider.getClass().getModule();
        String location = m.getLayer() == null ? "class path"
                : m.getLayer().configuration().findModule(m.getName())
                        .map(r -> PluginLayer.location(r.reference())).orElse("?");
        return new Found<>(provider, name, m.isNamed() ? m.getName() : "class path", location, plugin);
    }

    private static String describe(Module m) {
        if (!m.isNamed() || m.getLayer() == null) {
            return "the class path";
        }
        return "module " + m.getName() + " (" + m.getLayer().configuration().findModule(m.getName())
                .map(r -> PluginLayer.location(r.reference())).orElse("?") + ")";
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }

    /** The storage providers, by name: a stable order whatever the module path's order. */
    public List<Found<StorageProvider>> storages() {
        return sorted(storages);
    }

    /** The bypass providers, by name. */
    public List<Found<BypassProvider>> bypasses() {
        return sorted(bypasses);
    }

    private static <T> List<Found<T>> sorted(Map<String, Found<T>> byName) {
        return byName.values().stream().sorted(java.util.Comparator.comparing(Found::name)).toList();
    }

    public Optional<StorageProvider> storage(String name) {
        return Optional.ofNullable(storages.get(name)).map(Found::provider);
    }

    /** Plugins left out, each a line naming its jar and the cause. */
    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    /** Closes every provider (pools, mounts, probes); a failure in one does not keep the others open. */
    @Override
    public void close() {
        for (Found<StorageProvider> f : storages.values()) {
            try {
                f.provider().close();
            } catch (RuntimeException e) {
                System.getLogger(ProviderRegistry.class.getName()).log(System.Logger.Level.WARNING,
                        "closing storage provider " + f.name() + ": " + e);
            }
        }
        for (Found<BypassProvider> f : bypasses.values()) {
            try {
                f.provider().close();
            } catch (RuntimeException e) {
                System.getLogger(ProviderRegistry.class.getName()).log(System.Logger.Level.WARNING,
                        "closing bypass provider " + f.name() + ": " + e);
            }
        }
    }
}
