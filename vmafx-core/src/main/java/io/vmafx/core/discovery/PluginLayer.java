package io.vmafx.core.discovery;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads the jars of a plugins directory as one {@link ModuleLayer} above the node's own layer, leaving out,
 * with a problem line naming the jar, every jar that cannot work (not a module, a missing requirement, a
 * module the node already has). A broken plugin never stops the node.
 */
final class PluginLayer {

    /** The layer to look for providers in, and what was left out. */
    record Result(ModuleLayer layer, List<String> problems) {
    }

    private PluginLayer() {
    }

    static Result load(Path dir, ModuleLayer parent) {
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return new Result(parent, problems);
        }
        Map<String, ModuleReference> candidates = new LinkedHashMap<>();
        for (Path jar : jars(dir, problems)) {
            ModuleReference ref;
            try {
                var found = ModuleFinder.of(jar).findAll();
                if (found.isEmpty()) {
                    problems.add("plugin jar " + jar + ": holds no module");
                    continue;
                }
                ref = found.iterator().next();
            } catch (FindException e) {
                problems.add("plugin jar " + jar + ": not a usable module: " + rootMessage(e));
                continue;
            }
            String name = ref.descriptor().name();
            if (parent.findModule(name).isPresent()) {
                problems.add("plugin jar " + jar + ": module " + name + " is already part of the node; left out");
            } else if (candidates.containsKey(name)) {
                problems.add("plugin jar " + jar + ": module " + name + " is also in "
                        + location(candidates.get(name)) + "; left out");
            } else {
                candidates.put(name, ref);
            }
        }
        if (candidates.isEmpty()) {
            return new Result(parent, problems);
        }
        Configuration cf = resolveWorking(parent, candidates, problems);
        if (cf == null) {
            return new Result(parent, problems);
        }
        try {
            ModuleLayer layer = parent.defineModulesWithOneLoader(cf, ClassLoader.getSystemClassLoader());
            return new Result(layer, problems);
        } catch (LayerInstantiationException e) {
            problems.add("plugins in " + dir + " left out: " + e.getMessage());
            return new Result(parent, problems);
        }
    }

    /**
     * Resolves all candidates; when that fails, drops each module that cannot resolve on its own (naming
     * its jar and the cause) and resolves the rest.
     */
    private static Configuration resolveWorking(ModuleLayer parent, Map<String, ModuleReference> candidates, List<String> problems) {
        ModuleFinder finder = finderOf(candidates);
        Map<String, ModuleReference> working = new LinkedHashMap<>(candidates);
        while (!working.isEmpty()) {
            try {
                return parent.configuration().resolve(finderOf(working), ModuleFinder.of(), working.keySet());
            } catch (FindException | ResolutionException e) {
                boolean dropped = false;
                for (var it = working.entrySet().iterator(); it.hasNext(); ) {
                    var entry = it.next();
                    try {
                        parent.configuration().resolve(finder, ModuleFinder.of(), Set.of(entry.getKey()));
                    } catch (FindException | ResolutionException single) {
                        problems.add("plugin jar " + location(entry.getValue()) + ": " + rootMessage(single) + "; left out");
                        it.remove();
                        dropped = true;
                    }
                }
                if (!dropped) {
                    problems.add("plugins left out: " + rootMessage(e));
                    return null;
                }
            }
        }
        return null;
    }

    private static ModuleFinder finderOf(Map<String, ModuleReference> refs) {
        Path[] paths = refs.values().stream().map(r -> Path.of(r.location().orElseThrow())).toArray(Path[]::new);
        return ModuleFinder.of(paths);
    }

    private static List<Path> jars(Path dir, List<String> problems) {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.jar")) {
            s.forEach(jars::add);
        } catch (IOException e) {
            problems.add("plugins directory " + dir + " cannot be read: " + e.getMessage());
        }
        jars.sort(null);
        return jars;
    }

    static String location(ModuleReference ref) {
        return ref.location().map(u -> "file".equals(u.getScheme()) ? Path.of(u).toString() : u.toString()).orElse("?");
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + c.getMessage() + ")";
    }
}
