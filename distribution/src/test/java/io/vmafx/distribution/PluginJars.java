package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;

/** Module jars made by a test: sources compiled with {@code --release 17} against a module path, packed with the jar tool. */
final class PluginJars {

    private PluginJars() {
    }

    /**
     * Compiles module {@code module} ({@code module-info.java} body {@code body}, plus {@code sources}: path below the
     * source root to text) against {@code modulePath} in {@code work}, and packs it as {@code jar}.
     */
    static Path build(Path work, String module, String body, Map<String, String> sources, String modulePath, Path jar) throws IOException {
        Path src = Files.createDirectories(work.resolve("src").resolve(module));
        Path classes = Files.createDirectories(work.resolve("classes").resolve(module));
        Files.writeString(src.resolve("module-info.java"), "module " + module + " {\n    " + body + "\n}\n");
        List<Path> files = new ArrayList<>(List.of(src.resolve("module-info.java")));
        for (Map.Entry<String, String> s : sources.entrySet()) {
            Path f = src.resolve(s.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, s.getValue());
            files.add(f);
        }
        JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler: run the tests on a JDK");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter output = new StringWriter();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "17", "--module-path", modulePath, "-d", classes.toString());
            if (!javac.getTask(output, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files)).call()) {
                fail("compiling module " + module + " failed: " + output + diagnostics.getDiagnostics());
            }
        }
        Files.createDirectories(jar.getParent());
        java.util.spi.ToolProvider jarTool = java.util.spi.ToolProvider.findFirst("jar")
                .orElseThrow(() -> new AssertionError("no jar tool: run the tests on a JDK"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int rc = jarTool.run(print, print, "--create", "--file", jar.toString(), "-C", classes.toString(), ".");
        assertEquals(0, rc, () -> "jar failed for " + module + ": " + out.toString(StandardCharsets.UTF_8));
        return jar;
    }

    /** The source of a storage provider {@code pkg.cls} named {@code name} that claims no scheme of its own. */
    static String storage(String pkg, String cls, String name) {
        return """
                package %1$s;

                import io.vmafx.api.uri.AssetUri;
                import io.vmafx.spi.Availability;
                import io.vmafx.spi.NodeSettings;
                import io.vmafx.spi.storage.PreparedInput;
                import io.vmafx.spi.storage.StorageProvider;

                public final class %2$s implements StorageProvider {
                    @Override public String name() { return "%3$s"; }
                    @Override public Availability availability(NodeSettings settings) { return Availability.ok(); }
                    @Override public boolean handles(AssetUri uri) { return false; }
                    @Override public PreparedInput prepare(AssetUri uri, NodeSettings settings) {
                        return PreparedInput.of(name(), "/" + uri.path(), () -> { });
                    }
                }
                """.formatted(pkg, cls, name);
    }
}
