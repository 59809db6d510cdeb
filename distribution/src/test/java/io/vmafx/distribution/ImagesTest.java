package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.distribution.Remotes.Backend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The full and minimal node distributions the build made: their tarballs unpacked with the system {@code tar} and
 * run through their own launcher, outside the repository (so nothing of the repository's module path, tools or
 * model is found by default: the scorer's tools are given as {@code VMAFX_FFMPEG} and {@code VMAFX_VMAF_MODEL}).
 */
class ImagesTest {

    static final Set<String> NODE_MODULES_MINIMAL = Set.of("io.vmafx.api", "io.vmafx.core", "io.vmafx.rclone",
            "io.vmafx.storage.local", "io.vmafx.storage.httpserve", "info.picocli", "com.fasterxml.jackson.jr.ob",
            "com.fasterxml.jackson.core", "org.eclipse.jetty.server", "org.eclipse.jetty.http", "org.eclipse.jetty.io",
            "org.eclipse.jetty.util", "org.slf4j", "org.slf4j.jul");
    static final Set<String> NODE_MODULES_FULL = union(NODE_MODULES_MINIMAL, Set.of("io.vmafx.storage.fuse", "io.vmafx.bypass.ebpf"));

    @TempDir
    static Path scratch;
    static Path full;
    static Path minimal;
    static Path data;

    @BeforeAll
    static void unpack() throws IOException {
        full = Images.unpack(Images.tarball("full"), scratch.resolve("unpacked-full"));
        minimal = Images.unpack(Images.tarball("minimal"), scratch.resolve("unpacked-minimal"));
        data = scratch.resolve("data");
        Clips.degraded(Clips.reference(data.resolve("ref.y4m")), data.resolve("dis.y4m"));
    }

    @AfterEach
    void safetyNet() {
        Leftovers.cleanUp(scratch, Set.of());
    }

    @AfterAll
    static void noneLeft() throws InterruptedException {
        Leftovers.assertNone(scratch, scratch, Set.of());
    }

    @Test
    void eachTarballHasItsSha256BesideItThatSha256sumAccepts() throws IOException {
        for (String name : List.of("full", "minimal")) {
            Path tarball = Images.tarball(name);
            Path sum = tarball.resolveSibling(tarball.getFileName() + ".sha256");
            assertEquals(sha256(tarball) + "  " + tarball.getFileName() + "\n", Files.readString(sum, StandardCharsets.UTF_8));
            Node.Result check = Node.exec(List.of("sha256sum", "-c", sum.getFileName().toString()), Map.of(), tarball.getParent());
            assertEquals(0, check.exit(), check::toString);
            assertEquals(tarball.getFileName() + ": OK\n", check.stdout());
        }
    }

    @Test
    void fullImageListsExactlyEveryProviderOfTheNode() {
        Map<String, Object> json = Images.node(full.resolve("bin/vmafx-node"), Map.of(), scratch, "providers", "--json").quietJson();
        assertEquals(Set.of("local", "http-serve", "mount"), names(json, "storage"));
        assertEquals(Set.of("ebpf"), names(json, "bypass"));
        assertEquals(full.resolve("plugins").toString(), Node.at(json, "plugins_dir"), "plugins/ beside bin/ in the image");
        assertEquals(List.of(), Node.at(json, "problems"));
        assertEquals(NODE_MODULES_FULL, nodeModules(full));
    }

    @Test
    void minimalImageListsOnlyLocalAndHttpServe() {
        Map<String, Object> json = Images.node(minimal.resolve("bin/vmafx-node"), Map.of(), scratch, "providers", "--json").quietJson();
        assertEquals(Set.of("local", "http-serve"), names(json, "storage"));
        assertEquals(Set.of(), names(json, "bypass"));
        assertEquals(minimal.resolve("plugins").toString(), Node.at(json, "plugins_dir"));
        assertEquals(NODE_MODULES_MINIMAL, nodeModules(minimal));

        Node.Result text = Images.node(minimal.resolve("bin/vmafx-node"), Map.of(), scratch, "providers");
        assertEquals(0, text.exit(), text::toString);
        assertTrue(text.stdout().contains("bypass providers: none installed\n"), text::toString);
    }

    @Test
    void imagesHoldOnlyExplicitNodeModulesAndTheJdkModulesTheyNeed() {
        for (Path image : List.of(full, minimal)) {
            List<String> modules = Images.modules(image);
            List<String> jdk = modules.stream().filter(m -> m.startsWith("java.") || m.startsWith("jdk.")).toList();
            // java.naming (and java.security.sasl, which it requires) because jetty-util requires it transitively.
            assertEquals(List.of("java.base", "java.logging", "java.naming", "java.net.http", "java.security.sasl"), jdk,
                    () -> "only what the node's modules require (no --bind-services): " + modules);
            assertFalse(modules.stream().anyMatch(m -> m.startsWith("org.apache.commons")), () -> "Commons Compress in " + image + ": " + modules);
            for (String unused : List.of("bin/keytool", "lib/jexec", "lib/classlist", "lib/jrt-fs.jar")) {
                assertFalse(Files.exists(image.resolve(unused)), () -> "a JDK file a node never uses: " + image.resolve(unused));
            }
        }
    }

    @Test
    void minimalImageScoresALocalPairAndAPairOnAnRcloneRemoteThroughHttpServe() throws Exception {
        Path launcher = minimal.resolve("bin/vmafx-node");
        NodeDirs dirs = new NodeDirs(scratch.resolve("node-minimal"));
        try (Remotes remotes = Remotes.start(scratch.resolve("servers"), data, EnumSet.of(Backend.LOCAL))) {
            remotes.writeConfig(dirs.config());
            Map<String, Object> local = Images.node(launcher, dirs.env(Map.of()), scratch, "score", "--json",
                    "--reference", data.resolve("ref.y4m").toString(), "--distorted", data.resolve("dis.y4m").toString()).quietJson();
            assertEquals("local", Node.at(local, "reference.storage"));
            assertEquals(Clips.FRAMES, Node.number(local, "frames"));
            double mean = Node.number(local, "vmaf.mean");
            assertTrue(mean > 20 && mean < 95, () -> "a degraded copy scores clearly below 100: " + local);

            Map<String, Object> served = Images.node(launcher, dirs.env(Map.of()), scratch, "score", "--json",
                    "--reference", "loc:ref.y4m", "--distorted", "loc:dis.y4m").quietJson();
            assertEquals("http-serve", Node.at(served, "reference.storage"));
            assertEquals("http-serve", Node.at(served, "distorted.storage"));
            assertTrue(((String) Node.at(served, "reference.location")).startsWith("http://127.0.0.1:"), served::toString);
            assertEquals(mean, Node.number(served, "vmaf.mean"), 1e-6, "the same pair, whichever storage read it");
            dirs.assertClean(remotes.serverPids());

            Node.Result mount = Images.node(launcher, dirs.env(Map.of()), scratch, "score", "--storage-mode", "mount",
                    "--reference", "loc:ref.y4m", "--distorted", "loc:dis.y4m");
            assertEquals("vmafx-node: reference: storage 'mount' is not installed in this node, so it cannot read loc:ref.y4m",
                    mount.failsWith(1));
            dirs.assertClean(remotes.serverPids());
        }
    }

    @Test
    void launcherWorksThroughASymlinkAndFindsPluginsBesideTheImage() throws IOException {
        Path link = Files.createSymbolicLink(Files.createDirectories(scratch.resolve("links")).resolve("vmafx-node"),
                minimal.resolve("bin/vmafx-node"));
        Map<String, Object> json = Images.node(link, Map.of(), scratch, "providers", "--json").quietJson();
        assertEquals(minimal.resolve("plugins").toString(), Node.at(json, "plugins_dir"));
        assertEquals(Set.of("local", "http-serve"), names(json, "storage"));
    }

    @Test
    void nodeClassesComeFromTheImagesClassDataSharingArchive() {
        for (Path image : List.of(full, minimal)) {
            assertTrue(Files.isRegularFile(image.resolve("lib/server/classes.jsa")), () -> "no CDS archive in " + image);
            // -Xshare:on: a JVM that cannot map the archive stops instead of running without it.
            Node.Result r = Images.node(image.resolve("bin/vmafx-node"),
                    Map.of("VMAFX_JAVA_OPTS", "-Xshare:on -Xlog:class+load=info:stdout"), scratch, "--version");
            assertEquals(0, r.exit(), r::toString);
            List<String> main = r.stdout().lines().filter(l -> l.contains(" io.vmafx.core.cli.Main ")).toList();
            assertEquals(1, main.size(), r::toString);
            assertTrue(main.get(0).contains("source: shared objects file"), () -> "Main not from the archive: " + main);
        }
    }

    @Test
    void tarballEntriesAreSortedOwnedByRootTimedAtTheBuildTimestampAndKeepModesAndSymlinks() throws IOException {
        for (String name : List.of("full", "minimal")) {
            Path tarball = Images.tarball(name);
            String prefix = Images.prefix(tarball) + "/";
            Map<String, TarArchiveEntry> entries = entries(tarball);
            List<String> names = new ArrayList<>(entries.keySet());
            List<String> sorted = names.stream().sorted((a, b) -> java.util.Arrays.compareUnsigned(
                    a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8))).toList();
            assertEquals(sorted, names, "entries in byte order of their names");
            assertEquals(prefix, names.get(0));
            for (TarArchiveEntry e : entries.values()) {
                assertEquals(Instant.parse("2026-01-01T00:00:00Z"), e.getModTime().toInstant(), e::getName);
                assertEquals(0, e.getLongUserId());
                assertEquals(0, e.getLongGroupId());
                assertTrue(e.getName().startsWith(prefix), e::getName);
            }
            TarArchiveEntry launcher = entries.get(prefix + "bin/vmafx-node");
            assertTrue(launcher.isFile());
            assertEquals(0755, launcher.getMode() & 07777);
            assertEquals(0755, entries.get(prefix + "bin/java").getMode() & 07777);
            assertEquals(0644, entries.get(prefix + "conf/rclone.conf.sample").getMode() & 07777);
            assertTrue(entries.get(prefix + "conf/vmafx-node.env").isFile());
            assertTrue(entries.get(prefix + "plugins/").isDirectory());
            assertEquals(List.of(), names.stream().filter(n -> n.startsWith(prefix + "plugins/") && !n.equals(prefix + "plugins/")).toList(),
                    "plugins/ is empty");
            TarArchiveEntry licence = entries.get(prefix + "legal/java.logging/LICENSE");
            assertTrue(licence.isSymbolicLink(), "jlink's shared legal notices stay symlinks");
            assertEquals("../java.base/LICENSE", licence.getLinkName());
            assertTrue(entries.containsKey(prefix + "legal/info.picocli/LICENSE"), "the libraries' licences");
            assertTrue(entries.containsKey(prefix + "legal/com.fasterxml.jackson.core/LICENSE"));
        }
        // The system tar made the same of them.
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(minimal.resolve("bin/vmafx-node"))));
        Path licence = minimal.resolve("legal/java.logging/LICENSE");
        assertTrue(Files.isSymbolicLink(licence));
        assertTrue(Files.isRegularFile(licence), "the symlink resolves inside the image");
        assertTrue(Files.isDirectory(minimal.resolve("plugins"), LinkOption.NOFOLLOW_LINKS));
    }

    // ---- helpers

    static Map<String, TarArchiveEntry> entries(Path tarball) throws IOException {
        Map<String, TarArchiveEntry> m = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(tarball);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                m.put(e.getName(), e);
            }
        }
        return m;
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static Set<String> names(Map<String, Object> providersJson, String kind) {
        return Node.objects(providersJson, kind).stream().map(s -> (String) s.get("name")).collect(Collectors.toSet());
    }

    /** The image's modules that are not the JDK's. */
    private static Set<String> nodeModules(Path image) {
        return Images.modules(image).stream().filter(m -> !m.startsWith("java.") && !m.startsWith("jdk.")).collect(Collectors.toSet());
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }
}
