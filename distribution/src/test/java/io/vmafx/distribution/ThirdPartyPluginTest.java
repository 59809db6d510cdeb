package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example third-party plugin ({@code examples/storage-plugin-vault}, built on its own pom against vmafx-api only)
 * copied into the {@code plugins/} of an unpacked minimal image: listed by {@code providers}, used by {@code score}
 * for its {@code vault://} scheme; and broken plugin jars beside it, which the node leaves out naming the jar.
 */
class ThirdPartyPluginTest {

    @TempDir
    static Path scratch;
    static Path image;
    static Path launcher;
    static Path vaultJar;
    static Path vault;
    static double localMean;

    @BeforeAll
    static void unpackAndInstall() throws IOException {
        image = Images.unpack(Images.tarball("minimal"), scratch.resolve("unpacked"));
        launcher = image.resolve("bin/vmafx-node");
        vaultJar = Files.copy(exampleJar(), image.resolve("plugins").resolve("storage-plugin-vault.jar"));
        vault = scratch.resolve("vault");
        Path ref = Clips.reference(vault.resolve("masters/ref.y4m"));
        Clips.degraded(ref, vault.resolve("masters/dis.y4m"));
        localMean = Node.number(Images.node(launcher, Map.of(), scratch, "score", "--json", "--reference", ref.toString(),
                "--distorted", vault.resolve("masters/dis.y4m").toString()).quietJson(), "vmaf.mean");
    }

    @Test
    void pluginInPluginsDirIsListedAndScoresItsOwnScheme() {
        Map<String, String> env = Map.of("VMAFX_VAULT_DIR", vault.toString());
        Map<String, Object> json = Images.node(launcher, env, scratch, "providers", "--json").quietJson();
        Map<String, Map<String, Object>> storage = byName(json);
        assertEquals(Set.of("local", "http-serve", "vault"), storage.keySet());
        Map<String, Object> v = storage.get("vault");
        assertEquals("io.vmafx.examples.vault", v.get("module"));
        assertEquals(Boolean.TRUE, v.get("plugin"));
        assertEquals(vaultJar.toString(), v.get("location"));
        assertEquals(Boolean.TRUE, v.get("usable"), v::toString);
        assertEquals(List.of(), Node.at(json, "problems"));

        Node.Result text = Images.node(launcher, env, scratch, "providers");
        assertTrue(text.stdout().lines().anyMatch(l -> l.matches("\\s+vault\\s+io\\.vmafx\\.examples\\.vault\\s+usable\\s+\\(plugin " + vaultJar + "\\)")),
                text::toString);

        Map<String, Object> scored = Images.node(launcher, env, scratch, "score", "--json",
                "--reference", "vault://masters/ref.y4m", "--distorted", "vault://masters/dis.y4m").quietJson();
        assertEquals("vault", Node.at(scored, "reference.storage"));
        assertEquals("vault", Node.at(scored, "distorted.storage"));
        assertEquals(vault.resolve("masters/ref.y4m").toString(), Node.at(scored, "reference.location"));
        assertEquals(Clips.FRAMES, Node.number(scored, "frames"));
        assertEquals(localMean, Node.number(scored, "vmaf.mean"), 1e-6);
    }

    @Test
    void pluginSaysWhyItIsNotUsableAndAMissingObjectIsOneLine() {
        Map<String, Object> json = Images.node(launcher, Map.of(), scratch, "providers", "--json").quietJson();
        Map<String, Object> v = byName(json).get("vault");
        assertEquals(Boolean.FALSE, v.get("usable"));
        assertEquals("VMAFX_VAULT_DIR is not set (the directory holding the vault's shelves)", v.get("reason"));

        Node.Result unusable = Images.node(launcher, Map.of(), scratch, "score", "--reference", "vault://masters/ref.y4m",
                "--distorted", "vault://masters/dis.y4m");
        assertEquals("vmafx-node: reference: storage 'vault' is not usable here (VMAFX_VAULT_DIR is not set (the directory holding"
                + " the vault's shelves)), so it cannot read vault://masters/ref.y4m", unusable.failsWith(1));

        Node.Result missing = Images.node(launcher, Map.of("VMAFX_VAULT_DIR", vault.toString()), scratch, "score",
                "--reference", "vault://masters/nope.y4m", "--distorted", "vault://masters/dis.y4m");
        assertEquals("vmafx-node: reference: object not found: vault://masters/nope.y4m", missing.failsWith(1));
    }

    @Test
    void brokenPluginJarsAreLeftOutNamingTheJarAndTheNodeRunsOn() throws IOException {
        Path work = scratch.resolve("broken");
        Path api = Node.apiJar();
        Path absent = PluginJars.build(work, "com.example.absent", "exports com.example.absent;",
                Map.of("com/example/absent/Thing.java", "package com.example.absent; public final class Thing { }"), api.toString(),
                work.resolve("absent.jar"));
        Path plugins = image.resolve("plugins");
        Path needy = PluginJars.build(work, "com.example.needy",
                "requires io.vmafx.api; requires com.example.absent; provides io.vmafx.spi.storage.StorageProvider with com.example.needy.Needy;",
                Map.of("com/example/needy/Needy.java", PluginJars.storage("com.example.needy", "Needy", "needy")),
                api + File.pathSeparator + absent, plugins.resolve("needy.jar"));
        Path twin = PluginJars.build(work, "com.example.twin",
                "requires io.vmafx.api; provides io.vmafx.spi.storage.StorageProvider with com.example.twin.Twin;",
                Map.of("com/example/twin/Twin.java", PluginJars.storage("com.example.twin", "Twin", "http-serve")),
                api.toString(), plugins.resolve("twin.jar"));
        try {
            Map<String, String> env = Map.of("VMAFX_VAULT_DIR", vault.toString());
            Node.Result listed = Images.node(launcher, env, scratch, "providers", "--json");
            listed.assertNoStackTrace();
            Map<String, Object> json = listed.json();
            assertEquals(Set.of("local", "http-serve", "vault"), byName(json).keySet(), "the good plugin stays");
            assertEquals("io.vmafx.storage.httpserve", byName(json).get("http-serve").get("module"), "the node's own http-serve wins");
            @SuppressWarnings("unchecked")
            List<String> problems = (List<String>) Node.at(json, "problems");
            assertEquals(2, problems.size(), problems::toString);
            assertTrue(problems.stream().anyMatch(p -> p.contains(needy.toString()) && p.contains("com.example.absent")), problems::toString);
            assertTrue(problems.stream().anyMatch(p -> p.contains(twin.toString()) && p.contains("com.example.twin")
                    && p.contains("io.vmafx.storage.httpserve")), problems::toString);

            Node.Result text = Images.node(launcher, env, scratch, "providers");
            assertEquals(0, text.exit(), text::toString);
            text.assertNoStackTrace();
            assertEquals(2, text.stdout().lines().filter(l -> l.startsWith("problem: plugin jar ")).count(), text::toString);

            Map<String, Object> scored = Images.node(launcher, env, scratch, "score", "--json",
                    "--reference", "vault://masters/ref.y4m", "--distorted", "vault://masters/dis.y4m").json();
            assertEquals(localMean, Node.number(scored, "vmaf.mean"), 1e-6, "the node scores on through the good plugin");
        } finally {
            Files.deleteIfExists(needy);
            Files.deleteIfExists(twin);
        }
    }

    /** The example plugin's jar, as the reactor built it (this module depends on it, test scope). */
    static Path exampleJar() throws IOException {
        List<Path> entries = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator)).map(Path::of)
                .filter(p -> p.toString().contains("storage-plugin-vault")).toList();
        assertEquals(1, entries.size(), () -> "the example plugin on the test class path: " + entries);
        Path entry = entries.get(0);
        if (Files.isRegularFile(entry)) {
            return entry;
        }
        // The reactor handed over its classes directory (a build that stopped before package): jar it.
        Path jar = scratch.resolve("example/storage-plugin-vault.jar");
        Files.createDirectories(jar.getParent());
        java.util.spi.ToolProvider tool = java.util.spi.ToolProvider.findFirst("jar").orElseThrow();
        assertEquals(0, tool.run(System.out, System.err, "--create", "--file", jar.toString(), "-C", entry.toString(), "."));
        return jar;
    }

    private static Map<String, Map<String, Object>> byName(Map<String, Object> providersJson) {
        return Node.objects(providersJson, "storage").stream().collect(Collectors.toMap(s -> (String) s.get("name"), s -> s));
    }
}
