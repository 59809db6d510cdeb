package io.vmafx.core.cli;

import io.vmafx.core.config.Variable;
import io.vmafx.core.discovery.ProviderRegistry;
import io.vmafx.core.discovery.ProviderRegistry.Found;
import io.vmafx.core.jobstore.JobStores;
import io.vmafx.core.node.Node;
import io.vmafx.spi.Availability;
import io.vmafx.spi.jobstore.JobStoreProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmafx-node providers}: every storage and bypass provider found, its module, and whether it is usable here. */
@Command(name = "providers", mixinStandardHelpOptions = true,
        description = "List the storage and bypass providers this node found, and whether each is usable here.")
final class ProvidersCommand extends NodeCommand {

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    int run(Node node) {
        List<Map<String, Object>> storage = new ArrayList<>();
        for (var f : node.registry().storages()) {
            storage.add(entry(f, node.router().availability(f.name())));
        }
        List<Map<String, Object>> bypass = new ArrayList<>();
        for (var f : node.registry().bypasses()) {
            bypass.add(entry(f, f.provider().availability(node.config())));
        }
        var noScorer = node.executor().scorerUnavailable();
        String scorerLine = node.config().scorer() + (noScorer.isEmpty() ? " (usable)" : " (not usable: " + noScorer.get() + ")");
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            Map<String, Object> scorer = new LinkedHashMap<>();
            scorer.put("name", node.config().scorer());
            scorer.put("usable", noScorer.isEmpty());
            noScorer.ifPresent(r -> scorer.put("reason", r));
            out.put("scorer", scorer);
            out.put("storage", storage);
            out.put("bypass", bypass);
            out.put("job_stores", jobStores());
            out.put("storage_mode", node.config().storageMode().label());
            out.put("remote_mode", node.router().remoteMode());
            out.put("bypass_status", node.bypassStatus());
            out.put("plugins_dir", node.config().pluginsDir().toString());
            out.put("problems", node.registry().problems());
            out.put("variables", variables(node));
            System.out.println(Json.write(out));
            return 0;
        }
        StringBuilder b = new StringBuilder();
        b.append("scorer: ").append(scorerLine).append('\n');
        table(b, "storage providers", storage);
        table(b, "bypass providers", bypass);
        b.append("job stores (VMAFX_JOB_STORE): ").append(jobStores().stream().map(j -> j.get("scheme") + " (" + j.get("module") + ")")
                .collect(java.util.stream.Collectors.joining(", "))).append('\n');
        b.append(String.format(Locale.ROOT, "storage mode: %s (remote inputs: %s)%nbypass: %s%nplugins: %s%n",
                node.config().storageMode().label(), node.router().remoteMode(), node.bypassStatus(),
                node.config().pluginsDir()));
        node.registry().problems().forEach(p -> b.append("problem: ").append(p).append('\n'));
        variables(node).forEach((who, vars) -> b.append("variables read by ").append(who).append(": ")
                .append(vars.isEmpty() ? "none" : String.join(" ", vars)).append('\n'));
        System.out.print(b);
        return 0;
    }

    /**
     * Every environment variable the node reads, by reader: {@code core} (each {@link Variable}, plus those without
     * a flag) and each provider's own ({@code settings()}). Deployment files are checked against this.
     */
    static Map<String, List<String>> variables(Node node) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        java.util.TreeSet<String> core = new java.util.TreeSet<>(Variable.WITHOUT_FLAG);
        for (Variable v : Variable.values()) {
            core.add(v.env());
        }
        m.put("core", List.copyOf(core));
        for (var f : node.registry().storages()) {
            m.put(f.name(), List.copyOf(new java.util.TreeSet<>(f.provider().settings())));
        }
        for (var f : node.registry().bypasses()) {
            m.put(f.name(), List.copyOf(new java.util.TreeSet<>(f.provider().settings())));
        }
        for (JobStoreProvider p : jobStoreProviders().values()) {
            m.put("job store " + p.scheme(), List.copyOf(new java.util.TreeSet<>(p.settings())));
        }
        return m;
    }

    private static Map<String, JobStoreProvider> jobStoreProviders() {
        try {
            return JobStores.providers(ProviderRegistry.nodeLayer());
        } catch (io.vmafx.core.config.ConfigException e) {
            System.err.println("vmafx-node: providers: " + e.getMessage());
            return Map.of();
        }
    }

    /** The job stores this node can use: the built-in memory store and each provider's scheme. */
    private static List<Map<String, Object>> jobStores() {
        List<Map<String, Object>> l = new ArrayList<>();
        l.add(Map.of("scheme", "memory", "module", "io.vmafx.core"));
        for (JobStoreProvider p : jobStoreProviders().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scheme", p.scheme());
            m.put("module", p.getClass().getModule().isNamed() ? p.getClass().getModule().getName() : "(class path)");
            l.add(m);
        }
        return l;
    }

    private static <T> Map<String, Object> entry(Found<T> f, Availability a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", f.name());
        m.put("module", f.module());
        m.put("location", f.location());
        m.put("plugin", f.plugin());
        m.put("usable", a.usable());
        m.put("reason", a.reason());
        return m;
    }

    private static void table(StringBuilder b, String title, List<Map<String, Object>> rows) {
        b.append(title).append(rows.isEmpty() ? ": none installed\n" : ":\n");
        Function<Map<String, Object>, String> state = r -> (Boolean) r.get("usable") ? "usable" : "not usable: " + r.get("reason");
        for (Map<String, Object> r : rows) {
            b.append(String.format(Locale.ROOT, "  %-12s %-28s %s%s%n", r.get("name"), r.get("module"),
                    state.apply(r), (Boolean) r.get("plugin") ? "  (plugin " + r.get("location") + ")" : ""));
        }
    }
}
