package io.vmafx.dist;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A set of node modules for one distribution, by their project names ({@code vmafx-core}, {@code storage-local},
 * ...), checked to be a node that can work.
 *
 * <p>The rules:
 * <ul>
 *   <li>every name is a node module ({@link #CATALOGUE}); {@code vmafx-api} and {@code rclone-support} are
 *       libraries of the others and come with them, naming them is allowed and changes nothing;
 *   <li>{@code vmafx-core} is in (it is the node);
 *   <li>{@code storage-local} is in: local paths and {@code file://} inputs always go to it, whatever the mode;
 *   <li>{@code bypass-ebpf} needs {@code storage-fuse} or {@code storage-httpserve}: the bypass serves only inputs
 *       read through an rclone VFS cache (a mount, or {@code rclone serve http} with {@code VMAFX_HTTPSERVE_VFS_CACHE=1}).
 * </ul>
 *
 * @param name    the distribution's name ({@code full}, {@code minimal}, or {@code custom})
 * @param modules the chosen project modules, in catalogue order
 */
record ModuleSet(String name, List<String> modules) {

    /** Project module name to JPMS module name: what a distribution may be made of. */
    static final Map<String, String> CATALOGUE = catalogue();
    /** Libraries of the other modules: accepted, never roots of their own. */
    static final Set<String> LIBRARIES = Set.of("vmafx-api", "rclone-support");
    static final List<String> FULL = List.of("vmafx-core", "storage-local", "storage-httpserve", "storage-fuse", "bypass-ebpf");
    static final List<String> MINIMAL = List.of("vmafx-core", "storage-local", "storage-httpserve");

    private static Map<String, String> catalogue() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("vmafx-core", "io.vmafx.core");
        m.put("storage-local", "io.vmafx.storage.local");
        m.put("storage-httpserve", "io.vmafx.storage.httpserve");
        m.put("storage-fuse", "io.vmafx.storage.fuse");
        m.put("bypass-ebpf", "io.vmafx.bypass.ebpf");
        m.put("vmafx-api", "io.vmafx.api");
        m.put("rclone-support", "io.vmafx.rclone");
        return m;
    }

    /**
     * The set named {@code spec}: {@code full}, {@code minimal}, or a comma-separated list of project module names.
     *
     * @throws DistException when a name is unknown or the set cannot work; the message is one line naming it
     */
    static ModuleSet parse(String spec) throws DistException {
        if (spec.equals("full")) {
            return new ModuleSet("full", FULL);
        }
        if (spec.equals("minimal")) {
            return new ModuleSet("minimal", MINIMAL);
        }
        Set<String> chosen = new TreeSet<>();
        for (String raw : spec.split(",", -1)) {
            String n = raw.strip();
            if (n.isEmpty()) {
                throw new DistException("empty module name in '" + spec + "'");
            }
            if (!CATALOGUE.containsKey(n)) {
                throw new DistException("unknown module '" + n + "' (known: " + String.join(", ", CATALOGUE.keySet())
                        + "; or a preset: full, minimal)");
            }
            chosen.add(n);
        }
        List<String> ordered = new ArrayList<>();
        for (String n : CATALOGUE.keySet()) {
            if (chosen.contains(n)) {
                ordered.add(n);
            }
        }
        String set = String.join(",", ordered);
        if (!chosen.contains("vmafx-core")) {
            throw new DistException("module set " + set + " cannot work: vmafx-core is missing (it is the node itself)");
        }
        if (!chosen.contains("storage-local")) {
            throw new DistException("module set " + set + " cannot work: storage-local is missing (local paths and file:// inputs always go to it)");
        }
        if (chosen.contains("bypass-ebpf") && !chosen.contains("storage-fuse") && !chosen.contains("storage-httpserve")) {
            throw new DistException("module set " + set + " cannot work: bypass-ebpf needs storage-fuse or storage-httpserve"
                    + " (the bypass serves only inputs read through an rclone VFS cache)");
        }
        return new ModuleSet(ordered.equals(FULL) ? "full" : ordered.equals(MINIMAL) ? "minimal" : "custom", List.copyOf(ordered));
    }

    /** The JPMS modules jlink starts from: every chosen module but the libraries (they come as requirements). */
    List<String> roots() {
        return modules.stream().filter(m -> !LIBRARIES.contains(m)).map(CATALOGUE::get).toList();
    }
}
