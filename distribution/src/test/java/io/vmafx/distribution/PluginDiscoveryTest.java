package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugin discovery through the real launcher, with plugin jars this test compiles against the node's
 * {@code vmafx-api} jar: a working storage plugin with its own scheme, one with a missing requirement, one
 * whose provider name is taken, files that are no jar at all, and two providers of the node itself with one name.
 */
class PluginDiscoveryTest {

    private static final String STORAGE_SPI = "io.vmafx.spi.storage.StorageProvider";

    @TempDir
    static Path work;
    static Path ref;
    static Path dis;
    /** Storage "echo", scheme echo://: {@code echo://x/<path>} is the local file {@code /<path>}. */
    static Path echoJar;
    /** Module com.example.broken, which requires com.example.missing (not shipped). */
    static Path brokenJar;
    /** Module com.example.duplocal, a storage provider named "local". */
    static Path dupLocalJar;
    /** The degraded pair's mean through local storage, the reference for every other way of reading it. */
    static double localMean;

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildPluginsAndClips() throws IOException {
        ref = Clips.reference(work.resolve("ref.y4m"));
        dis = Clips.degraded(ref, work.resolve("dis.y4m"));
        Path api = Node.apiJar();
        Path jars = Files.createDirectories(work.resolve("jars"));

        echoJar = plugin(jars, "com.example.echo", api.toString(), "requires io.vmafx.api;",
                storageProvider("com.example.echo", "EchoStorage", "echo", "echo"));

        Path missingClasses = compile("com.example.missing", "", api.toString(), List.of());
        brokenJar = plugin(jars, "com.example.broken", api + java.io.File.pathSeparator + missingClasses,
                "requires io.vmafx.api; requires com.example.missing;",
                storageProvider("com.example.broken", "BrokenStorage", "broken", null));

        dupLocalJar = plugin(jars, "com.example.duplocal", api.toString(), "requires io.vmafx.api;",
                storageProvider("com.example.duplocal", "DupLocalStorage", "local", null));

        localMean = Node.number(Node.run("score", "--json", "--reference", ref.toString(), "--distorted", dis.toString()).quietJson(),
                "vmaf.mean");
    }

    @Test
    void storagePluginIsListedAndScoresThroughItsOwnScheme() throws IOException {
        Path plugins = pluginsDir(echoJar);
        Map<String, String> env = Map.of("VMAFX_PLUGINS_DIR", plugins.toString());

        Node.Result listed = Node.run(env, Node.ROOT, "providers", "--json");
        Map<String, Object> json = listed.json();
        Map<String, Map<String, Object>> storage = byName(json);
        assertEquals(Set.of("local", "http-serve", "mount", "echo"), storage.keySet());
        Map<String, Object> echo = storage.get("echo");
        assertEquals(Boolean.TRUE, echo.get("plugin"), echo::toString);
        assertEquals("com.example.echo", echo.get("module"));
        assertEquals(plugins.resolve(echoJar.getFileName()).toString(), echo.get("location"));
        assertEquals(Boolean.TRUE, echo.get("usable"));
        assertEquals(Boolean.FALSE, storage.get("local").get("plugin"));
        assertEquals(plugins.toString(), Node.at(json, "plugins_dir"));
        assertEquals(List.of(), Node.at(json, "problems"));
        assertEquals("", listed.stderr(), listed::toString);

        String refUri = "echo://x/" + ref.toString().substring(1);
        String disUri = "echo://x/" + dis.toString().substring(1);
        Map<String, Object> scored = Node.run(env, Node.ROOT, "score", "--json", "--reference", refUri, "--distorted", disUri).quietJson();
        assertEquals("echo", Node.at(scored, "reference.storage"));
        assertEquals("echo", Node.at(scored, "distorted.storage"));
        assertEquals(refUri, Node.at(scored, "reference.uri"));
        assertEquals(ref.toString(), Node.at(scored, "reference.location"));
        assertEquals(dis.toString(), Node.at(scored, "distorted.location"));
        assertEquals(Clips.FRAMES, Node.number(scored, "frames"));
        assertEquals(localMean, Node.number(scored, "vmaf.mean"), 1e-6, "same pair, same score, whichever storage read it");
    }

    @Test
    void pluginWithAMissingRequirementIsLeftOutAndTheRestRuns() throws IOException {
        Path plugins = pluginsDir(echoJar, brokenJar);
        Path broken = plugins.resolve(brokenJar.getFileName());
        Map<String, String> env = Map.of("VMAFX_PLUGINS_DIR", plugins.toString());

        Node.Result text = Node.run(env, Node.ROOT, "providers");
        assertEquals(0, text.exit(), text::toString);
        text.assertNoStackTrace();
        for (String name : List.of("echo", "local", "http-serve", "mount", "ebpf")) {
            assertTrue(text.stdout().contains(name), () -> "no " + name + ": " + text);
        }
        assertTrue(text.stdout().lines().anyMatch(l -> l.startsWith("problem: ") && l.contains(broken.toString())
                        && l.contains("com.example.missing")),
                () -> "no problem line naming " + broken + " and com.example.missing: " + text);

        Node.Result jsonRun = Node.run(env, Node.ROOT, "providers", "--json");
        jsonRun.assertNoStackTrace();
        Map<String, Object> json = jsonRun.json();
        assertEquals(Set.of("local", "http-serve", "mount", "echo"), byName(json).keySet());
        assertProblem(json, broken.toString(), "com.example.missing");
    }

    @Test
    void pluginProviderNamedLikeABuiltInIsLeftOutAndTheNodeStillWorks() throws IOException {
        Path plugins = pluginsDir(dupLocalJar);
        Path dup = plugins.resolve(dupLocalJar.getFileName());
        Map<String, String> env = Map.of("VMAFX_PLUGINS_DIR", plugins.toString());

        Node.Result listed = Node.run(env, Node.ROOT, "providers", "--json");
        listed.assertNoStackTrace();
        Map<String, Object> json = listed.json();
        List<Map<String, Object>> locals = Node.objects(json, "storage").stream().filter(s -> "local".equals(s.get("name"))).toList();
        assertEquals(1, locals.size(), () -> "one storage named local: " + json);
        assertEquals("io.vmafx.storage.local", locals.get(0).get("module"));
        assertEquals(Boolean.FALSE, locals.get(0).get("plugin"));
        assertProblem(json, dup.toString(), "com.example.duplocal", "io.vmafx.storage.local");

        Node.Result scored = Node.run(env, Node.ROOT, "score", "--json", "--reference", ref.toString(), "--distorted", dis.toString());
        scored.assertNoStackTrace();
        Map<String, Object> result = scored.json();
        assertEquals("local", Node.at(result, "reference.storage"));
        assertEquals(localMean, Node.number(result, "vmaf.mean"), 1e-6);
    }

    @Test
    void twoBuiltInProvidersWithOneNameStopStartUpNamingBothModules() {
        String modulePath = Node.MODULES + java.io.File.pathSeparator + dupLocalJar;
        Node.Result r = Node.exec(Node.java(modulePath, "providers"), Map.of(), Node.ROOT);
        String line = r.failsWith(2);
        assertTrue(line.contains("io.vmafx.storage.local"), line);
        assertTrue(line.contains("com.example.duplocal"), line);
        assertTrue(line.contains("'local'"), line);
        r.assertNoStackTrace();
    }

    @Test
    void filesThatAreNoJarAreLeftOutWithAProblemNamingThem() throws IOException {
        Path plugins = pluginsDir(echoJar);
        Path empty = Files.write(plugins.resolve("x.jar"), new byte[0]);
        Path garbage = Files.writeString(plugins.resolve("garbage.jar"), "this is not a zip file\n\u0000\u0001\u0002 at all");
        Map<String, String> env = Map.of("VMAFX_PLUGINS_DIR", plugins.toString());

        Node.Result r = Node.run(env, Node.ROOT, "providers", "--json");
        r.assertNoStackTrace();
        Map<String, Object> json = r.json();
        assertEquals(Set.of("local", "http-serve", "mount", "echo"), byName(json).keySet());
        assertProblem(json, empty.toString());
        assertProblem(json, garbage.toString());

        // The node runs on: a job through the good plugin still works.
        Node.Result scored = Node.run(env, Node.ROOT, "score", "--json", "--reference", "echo://x/" + ref.toString().substring(1),
                "--distorted", dis.toString());
        assertEquals("echo", Node.at(scored.json(), "reference.storage"));
    }

    // ---- helpers

    private static Map<String, Map<String, Object>> byName(Map<String, Object> providersJson) {
        return Node.objects(providersJson, "storage").stream().collect(Collectors.toMap(s -> (String) s.get("name"), s -> s));
    }

    /** Asserts that one entry of {@code problems} holds every one of {@code parts}. */
    private static void assertProblem(Map<String, Object> providersJson, String... parts) {
        @SuppressWarnings("unchecked")
        List<String> problems = (List<String>) Node.at(providersJson, "problems");
        assertTrue(problems.stream().anyMatch(p -> Stream.of(parts).allMatch(p::contains)),
                () -> "no problem naming all of " + List.of(parts) + " in " + problems);
    }

    /** A fresh plugins directory holding copies of {@code jars}. */
    private Path pluginsDir(Path... jars) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        for (Path jar : jars) {
            Files.copy(jar, dir.resolve(jar.getFileName()));
        }
        return dir;
    }

    /** The source of a storage provider {@code pkg.cls} named {@code name}, claiming {@code scheme} (or none). */
    private static Provider storageProvider(String pkg, String cls, String name, String scheme) {
        String source = """
                package %1$s;

                import io.vmafx.api.uri.AssetUri;
                import io.vmafx.spi.Availability;
                import io.vmafx.spi.NodeSettings;
                import io.vmafx.spi.storage.PreparedInput;
                import io.vmafx.spi.storage.StorageProvider;
                import java.util.Set;

                public final class %2$s implements StorageProvider {
                    @Override
                    public String name() {
                        return "%3$s";
                    }

                    @Override
                    public Availability availability(NodeSettings settings) {
                        return Availability.ok();
                    }

                    @Override
                    public Set<String> schemes() {
                        return %4$s;
                    }

                    @Override
                    public boolean handles(AssetUri uri) {
                        return schemes().contains(uri.scheme());
                    }

                    @Override
                    public PreparedInput prepare(AssetUri uri, NodeSettings settings) {
                        // <scheme>://<any authority>/<path> is the local file /<path>.
                        return PreparedInput.of(name(), "/" + uri.path(), () -> { });
                    }
                }
                """.formatted(pkg, cls, name, scheme == null ? "Set.of()" : "Set.of(\"" + scheme + "\")");
        return new Provider(pkg.replace('.', '/') + "/" + cls + ".java", source, STORAGE_SPI + " with " + pkg + "." + cls);
    }

    /** One provider class: its source file (relative to the module's source root), text and {@code provides} clause. */
    private record Provider(String file, String source, String provides) {
    }

    /** Compiles module {@code module} (with {@code provider}'s source and service) and packs it as {@code <jars>/<last name part>.jar}. */
    private static Path plugin(Path jars, String module, String modulePath, String requires, Provider provider)
            throws IOException {
        Path file = work.resolve("src").resolve(module).resolve(provider.file());
        Files.createDirectories(file.getParent());
        Files.writeString(file, provider.source());
        Path classes = compile(module, requires + "\n    provides " + provider.provides() + ";", modulePath, List.of(provider.file()));
        Path jar = jars.resolve(module.substring(module.lastIndexOf('.') + 1) + ".jar");
        java.util.spi.ToolProvider jarTool = java.util.spi.ToolProvider.findFirst("jar")
                .orElseThrow(() -> new AssertionError("no jar tool: run the tests on a JDK"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int rc = jarTool.run(print, print, "--create", "--file", jar.toString(), "-C", classes.toString(), ".");
        if (rc != 0) {
            fail("jar failed for " + module + ": " + out.toString(StandardCharsets.UTF_8));
        }
        return jar;
    }

    /** Writes {@code module-info.java} ({@code module M { body }}) beside {@code sources} and compiles them with --release 17. */
    private static Path compile(String module, String body, String modulePath, List<String> sources) throws IOException {
        Path src = Files.createDirectories(work.resolve("src").resolve(module));
        Path classes = Files.createDirectories(work.resolve("classes").resolve(module));
        Files.writeString(src.resolve("module-info.java"), "module " + module + " {\n    " + body + "\n}\n");
        List<Path> files = new ArrayList<>(List.of(src.resolve("module-info.java")));
        sources.forEach(s -> files.add(src.resolve(s)));

        JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler: run the tests on a JDK");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter output = new StringWriter();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "17", "--module-path", modulePath, "-d", classes.toString());
            boolean ok = javac.getTask(output, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files)).call();
            if (!ok) {
                fail("compiling plugin module " + module + " failed: " + output + diagnostics.getDiagnostics());
            }
        }
        return classes;
    }
}
