package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node end to end: the real launcher {@code bin/vmafx-node}, the built module path, the real ffmpeg with
 * libvmaf and the real model, on clips made here.
 */
class CliEndToEndTest {

    @TempDir
    static Path clips;
    static Path ref;
    static Path dis;

    @TempDir
    Path tmp;

    @BeforeAll
    static void makeClips() {
        ref = Clips.reference(clips.resolve("ref.y4m"));
        dis = Clips.degraded(ref, clips.resolve("dis.y4m"));
    }

    // ---- providers

    @Test
    void providersJsonListsTheBuiltInProvidersTheirModulesAndWhyNotUsable() {
        Map<String, Object> json = Node.run("providers", "--json").quietJson();

        List<Map<String, Object>> storage = Node.objects(json, "storage");
        Map<String, Map<String, Object>> byName = storage.stream()
                .collect(Collectors.toMap(s -> (String) s.get("name"), Function.identity()));
        assertEquals(3, storage.size(), () -> "storage providers: " + storage);
        assertEquals(Set.of("local", "http-serve", "mount"), byName.keySet());
        assertEquals("io.vmafx.storage.local", byName.get("local").get("module"));
        assertEquals("io.vmafx.storage.httpserve", byName.get("http-serve").get("module"));
        assertEquals("io.vmafx.storage.fuse", byName.get("mount").get("module"));
        assertEquals(Boolean.TRUE, byName.get("local").get("usable"), "local storage is always usable");

        List<Map<String, Object>> bypass = Node.objects(json, "bypass");
        assertEquals(List.of("ebpf"), bypass.stream().map(b -> b.get("name")).toList());
        assertEquals("io.vmafx.bypass.ebpf", bypass.get(0).get("module"));

        for (Map<String, Object> p : Stream.concat(storage.stream(), bypass.stream()).toList()) {
            assertEquals(Boolean.FALSE, p.get("plugin"), () -> "built in, not a plugin: " + p);
            if (!Boolean.TRUE.equals(p.get("usable"))) {
                assertTrue(p.get("reason") instanceof String r && !r.isBlank(), () -> "an unusable provider must say why: " + p);
            }
        }
        assertEquals(List.of(), Node.at(json, "problems"));
    }

    @Test
    void providersPrintsATable() {
        Node.Result r = Node.run("providers");
        assertEquals(0, r.exit(), r::toString);
        for (String s : List.of("local", "http-serve", "mount", "ebpf", "io.vmafx.storage.local", "io.vmafx.storage.httpserve",
                "io.vmafx.storage.fuse", "io.vmafx.bypass.ebpf")) {
            assertTrue(r.stdout().contains(s), () -> "no " + s + " in " + r);
        }
        assertTrue(r.stdout().lines().anyMatch(l -> l.matches("\\s*local\\s+io\\.vmafx\\.storage\\.local\\s+usable.*")),
                () -> "no table row for local: " + r);
        assertEquals("", r.stderr(), r::toString);
    }

    // ---- score

    @Test
    void identicalPairScoresNearlyHundredThroughLocalStorage() {
        Map<String, Object> json = Node.run("score", "--json", "--reference", ref.toString(), "--distorted", ref.toString()).quietJson();
        assertTrue(Node.number(json, "vmaf.mean") >= 99, () -> "identical pair: " + json);
        assertEquals(Clips.FRAMES, Node.number(json, "frames"));
        assertEquals(Clips.FRAMES, ((List<?>) Node.at(json, "vmaf.per_frame")).size());
        assertEquals("libvmaf", Node.at(json, "scorer"));
        for (String side : List.of("reference", "distorted")) {
            assertEquals(ref.toString(), Node.at(json, side + ".uri"));
            assertEquals("local", Node.at(json, side + ".storage"));
            assertEquals(ref.toAbsolutePath().toString(), Node.at(json, side + ".location"));
            assertEquals(Boolean.FALSE, Node.at(json, side + ".bypass"));
            assertTrue(Node.at(json, side + ".bypass_reason") instanceof String s && !s.isBlank(), () -> "why no bypass: " + json);
        }
    }

    @Test
    void degradedPairScoresLowerAndExactlyAsTheBareLibvmafCommand() throws IOException {
        Map<String, Object> json = Node.run("score", "--json", "--reference", ref.toString(), "--distorted", dis.toString()).quietJson();
        double mean = Node.number(json, "vmaf.mean");
        assertTrue(mean < 90, () -> "degraded pair should score clearly lower: " + json);
        assertEquals(Clips.FRAMES, Node.number(json, "frames"));
        assertEquals("local", Node.at(json, "distorted.storage"));
        assertEquals(dis.toString(), Node.at(json, "distorted.location"));

        List<Double> bareFrames = Clips.bareFrameScores(ref, dis, tmp);
        assertEquals(Clips.FRAMES, bareFrames.size());
        assertEquals(Clips.mean(bareFrames), mean, 1e-4, "the node's mean vs the mean of the bare libvmaf command's log");
        List<?> perFrame = (List<?>) Node.at(json, "vmaf.per_frame");
        for (int i = 0; i < bareFrames.size(); i++) {
            assertEquals(bareFrames.get(i), ((Number) perFrame.get(i)).doubleValue(), 1e-4, "frame " + i);
        }
    }

    @Test
    void fileUrisAreReadByLocalStorage() {
        String refUri = "file://" + ref;              // file:///tmp/.../ref.y4m, as typed
        String disUri = dis.toUri().toString();       // the JDK's spelling of the same form
        Map<String, Object> json = Node.run("score", "--json", "--reference", refUri, "--distorted", disUri).quietJson();
        assertEquals(refUri, Node.at(json, "reference.uri"));
        assertEquals("local", Node.at(json, "reference.storage"));
        assertEquals("local", Node.at(json, "distorted.storage"));
        assertEquals(ref.toString(), Node.at(json, "reference.location"));
        assertEquals(dis.toString(), Node.at(json, "distorted.location"));
        assertEquals(Clips.FRAMES, Node.number(json, "frames"));
        assertTrue(Node.number(json, "vmaf.mean") < 90, json::toString);
    }

    @Test
    void relativePathsResolveAgainstTheWorkingDirectory() {
        Map<String, Object> json = Node.run(Map.of(), clips, "score", "--json", "--reference", "ref.y4m", "--distorted", "dis.y4m").quietJson();
        assertEquals("ref.y4m", Node.at(json, "reference.uri"));
        assertEquals(ref.toAbsolutePath().toString(), Node.at(json, "reference.location"));
        assertEquals(dis.toAbsolutePath().toString(), Node.at(json, "distorted.location"));
        assertEquals(Clips.FRAMES, Node.number(json, "frames"));
    }

    @Test
    void pathWithSpacesAndNonAsciiCharactersWorksAsPathAndAsFileUri() throws IOException {
        assertEquals("UTF-8", System.getProperty("sun.jnu.encoding"),
                "run the tests under a UTF-8 locale (LANG=C.UTF-8): file names with non-ASCII characters need it");
        Path odd = Files.copy(ref, Files.createDirectories(tmp.resolve("dir with space")).resolve("my clip é.y4m"));
        Map<String, Object> json = Node.run("score", "--json", "--reference", odd.toString(),
                "--distorted", odd.toUri().toString()).quietJson();
        assertTrue(odd.toUri().toString().contains("%C3%A9"), "percent-encoded UTF-8 in the file URI");
        assertEquals(odd.toString(), Node.at(json, "reference.location"));
        assertEquals(odd.toString(), Node.at(json, "distorted.location"));
        assertTrue(Node.number(json, "vmaf.mean") >= 99, json::toString);

        // Relative, with raw spaces and é, from the clip's directory.
        Map<String, Object> rel = Node.run(Map.of(), odd.getParent(), "score", "--json", "--reference", "my clip é.y4m",
                "--distorted", "file://" + odd).quietJson();
        assertEquals(odd.toString(), Node.at(rel, "reference.location"));
        assertEquals(odd.toString(), Node.at(rel, "distorted.location"));
        assertEquals(Clips.FRAMES, Node.number(rel, "frames"));
    }

    /**
     * The same file as a percent-encoded (pure ASCII) {@code file://} URI, with the node under the C locale, as in
     * a container without {@code LANG}: README says scheme forms are decoded as UTF-8 and non-ASCII works, so
     * the node must still open it (the launcher has to make sure Java can name such files).
     */
    @Test
    void percentEncodedNonAsciiFileUriWorksWithoutAUtf8Locale() throws IOException {
        assertEquals("UTF-8", System.getProperty("sun.jnu.encoding"),
                "run the tests under a UTF-8 locale (LANG=C.UTF-8): file names with non-ASCII characters need it");
        Path odd = Files.copy(ref, tmp.resolve("my clip é.y4m"));
        String uri = odd.toUri().toASCIIString();
        Node.Result r = Node.run(Map.of("LC_ALL", "C", "LANG", "C"), Node.ROOT, "score", "--json", "--reference", uri,
                "--distorted", ref.toString());
        Map<String, Object> json = r.quietJson();
        assertEquals("local", Node.at(json, "reference.storage"));
        assertEquals(Clips.FRAMES, Node.number(json, "frames"));
        assertTrue(Node.number(json, "vmaf.mean") >= 99, json::toString);
    }

    @Test
    void plainScorePrintsAVmafLine() {
        Node.Result r = Node.run("score", "--reference", ref.toString(), "--distorted", dis.toString());
        assertEquals(0, r.exit(), r::toString);
        assertEquals("", r.stderr(), () -> "piped output stays quiet: " + r);
        assertTrue(r.stdout().lines().anyMatch(l -> l.matches("VMAF \\d+\\.\\d+\\b.*")), () -> "no 'VMAF <score>' line: " + r);
        assertFalse(r.stdout().trim().startsWith("{"), () -> "plain output is not JSON: " + r);
    }

    // ---- failures: one line on stderr, exit 1 for a failed job, 2 for a bad setting

    @Test
    void missingDistortedFileFailsWithOneLineNamingIt() {
        Path missing = clips.resolve("no-such-clip.y4m");
        String line = Node.run("score", "--reference", ref.toString(), "--distorted", missing.toString()).failsWith(1);
        assertTrue(line.contains(missing.toString()), line);
        assertTrue(line.contains("not found"), line);
        assertTrue(line.contains("distorted"), () -> "says which input: " + line);
    }

    @Test
    void directoryAsInputFails() {
        String line = Node.run("score", "--reference", clips.toString(), "--distorted", dis.toString()).failsWith(1);
        assertTrue(line.contains("directory"), line);
        assertTrue(line.contains(clips.toString()), line);
    }

    @Test
    void dotDotSegmentIsRejected() {
        String line = Node.run(Map.of(), clips, "score", "--reference", "ref.y4m", "--distorted", "../x.y4m").failsWith(1);
        assertTrue(line.contains(".."), line);
    }

    @Test
    void remoteInputInLocalStorageModeFails() {
        String line = Node.run("score", "--reference", ref.toString(), "--distorted", "s3://bucket/key",
                "--storage-mode", "local").failsWith(1);
        assertTrue(line.contains("s3://bucket/key"), line);
    }

    @Test
    void unknownSchemeIsNamed() {
        String line = Node.run("score", "--reference", ref.toString(), "--distorted", "foo://x/y").failsWith(1);
        assertTrue(line.contains("'foo'") || line.contains("foo://"), line);
    }

    @Test
    void badStorageModeVariableStopsStartUp() {
        String line = Node.run(Map.of("VMAFX_STORAGE_MODE", "fuse"), Node.ROOT,
                "score", "--reference", ref.toString(), "--distorted", dis.toString()).failsWith(2);
        assertTrue(line.contains("VMAFX_STORAGE_MODE"), line);
        assertTrue(line.contains("fuse"), line);
    }

    @Test
    void badStorageModeFlagIsNamedAsTheFlag() {
        String line = Node.run(Map.of("VMAFX_STORAGE_MODE", "local"), Node.ROOT,
                "score", "--reference", ref.toString(), "--distorted", dis.toString(), "--storage-mode", "nfs").failsWith(2);
        assertTrue(line.contains("--storage-mode"), line);
        assertTrue(line.contains("nfs"), line);
    }

    @Test
    void badProviderVariableStopsStartupNamingIt() {
        String line = Node.run(Map.of("VMAFX_HTTPSERVE_IDLE", "soon"), Node.ROOT, "providers").failsWith(2);
        assertTrue(line.startsWith("vmafx-node: VMAFX_HTTPSERVE_IDLE: expected a duration"), line);
        String mount = Node.run(Map.of("VMAFX_VFS_CACHE_MODE", "sometimes"), Node.ROOT,
                "score", "--reference", ref.toString(), "--distorted", dis.toString()).failsWith(2);
        assertTrue(mount.contains("VMAFX_VFS_CACHE_MODE"), mount);
    }

    @Test
    void rawYuvWithoutItsSizeFailsNamingTheInput() throws IOException {
        Path raw = Files.write(tmp.resolve("raw clip.yuv"), new byte[320 * 240 * 3 / 2 * 2]);
        String line = Node.run("score", "--reference", ref.toString(), "--distorted", raw.toString()).failsWith(1);
        assertTrue(line.contains(raw.toString()), line);
        assertTrue(line.contains("--width"), line);
    }

    @Test
    void unreadableFileIsPermissionDenied() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("locked"));
        Path readable = Files.copy(ref, dir.resolve("ref.y4m"));
        Path secret = Files.copy(ref, dir.resolve("secret.y4m"));
        Node.worldReadable(tmp);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Node.Result r;
        if (Node.isRoot(secret)) {
            // Root reads every file: run the node as nobody, to whom the 0600 root-owned file is closed.
            r = Node.runAsNobody(tmp, dir, "score", "--reference", readable.toString(), "--distorted", secret.toString());
        } else {
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
            r = Node.run(Map.of(), dir, "score", "--reference", readable.toString(), "--distorted", secret.toString());
        }
        String line = r.failsWith(1);
        assertTrue(line.contains("permission denied"), line);
        assertTrue(line.contains(secret.toString()), line);
    }

    @Test
    void eachCommandsHelpListsOnlyItsOwnFlags() {
        String score = Node.run("score", "--help").stdout();
        for (String serveOnly : List.of("--slots", "--queue", "--token", "--drain", "--port", "--addr", "--api-hosts")) {
            assertFalse(score.contains(serveOnly + "="), () -> "score --help lists " + serveOnly + ": " + score);
        }
        assertTrue(score.contains("--feature") && score.contains("--model") && score.contains("--storage-mode"), score);
        String serve = Node.run("serve", "--help").stdout();
        assertTrue(serve.contains("--slots") && serve.contains("--token") && serve.contains("--max-connections"), serve);
        assertFalse(serve.contains("--feature"), serve);
    }

    @Test
    void whereNoScorerCanRunProvidersAndEveryJobSaySoInOneLine() {
        // The JVM reports the architecture it is told: how an aarch64 machine looks to the node, on this one.
        Map<String, String> arm = Map.of("VMAFX_JAVA_OPTS", "-Dos.arch=aarch64");
        Node.Result providers = Node.run(arm, Node.ROOT, "providers", "--json");
        Map<String, Object> json = providers.quietJson();
        assertEquals(Boolean.FALSE, Node.at(json, "scorer.usable"), providers::toString);
        assertTrue(((String) Node.at(json, "scorer.reason")).startsWith("no libvmaf scorer for aarch64"), providers::toString);
        String line = Node.run(arm, Node.ROOT, "score", "--reference", ref.toString(), "--distorted", dis.toString())
                .failsWith(1);
        assertTrue(line.startsWith("vmafx-node: cannot score: no libvmaf scorer for aarch64"), line);
    }

    @Test
    void scoringOptionsReachTheResult() {
        Map<String, Object> json = Node.run("score", "--json", "--reference", ref.toString(), "--distorted", dis.toString(),
                "--model", "vmaf_v0.6.1,vmaf_v0.6.1neg", "--feature", "psnr", "--subsample", "5").quietJson();
        assertEquals(List.of("vmaf_v0.6.1", "vmaf_v0.6.1neg"), Node.at(json, "models"));
        assertEquals(10, Node.number(json, "frames"), "50 frames, every 5th scored");
        assertEquals(5, Node.number(json, "frame_counts.subsample"));
        assertEquals(Clips.FRAMES, Node.number(json, "frame_counts.reference"));
        Map<?, ?> metrics = (Map<?, ?>) Node.at(json, "metrics");
        double neg = ((Number) ((Map<?, ?>) metrics.get("vmaf_v0.6.1neg")).get("mean")).doubleValue();
        assertTrue(neg > 0 && neg < Node.number(json, "vmaf.mean") + 1e-9, () -> "NEG never exceeds the default here: " + json);
        assertTrue(Node.number(json, "metrics.psnr_y.p5") <= Node.number(json, "metrics.psnr_y.mean"), json::toString);
        String bad = Node.run("score", "--reference", ref.toString(), "--distorted", dis.toString(), "--feature", "vif")
                .failsWith(2);
        assertTrue(bad.contains("unknown feature 'vif'"), bad);
    }

    @Test
    void missingModelStopsStartUpNamingTheVariable() {
        String line = Node.run(Map.of("VMAFX_VMAF_MODEL", "/nonexistent"), Node.ROOT,
                "score", "--reference", ref.toString(), "--distorted", dis.toString()).failsWith(2);
        assertTrue(line.contains("VMAFX_VMAF_MODEL"), line);
        assertTrue(line.contains("/nonexistent"), line);
    }

    // ---- demo

    @Test
    void demoScoresAndLeavesNothingInTheTemporaryDirectory() throws IOException {
        Path tmpdir = Files.createDirectories(tmp.resolve("demo-tmp"));
        Map<String, String> env = new HashMap<>();
        env.put("TMPDIR", tmpdir.toString());
        env.put("VMAFX_JAVA_OPTS", "-Djava.io.tmpdir=" + tmpdir);
        Node.Result r = Node.run(env, Node.ROOT, "demo");
        assertEquals(0, r.exit(), r::toString);
        assertEquals("", r.stderr(), () -> "piped output stays quiet: " + r);
        String vmaf = r.stdout().lines().filter(l -> l.startsWith("VMAF ")).findFirst()
                .orElseThrow(() -> new AssertionError("no 'VMAF ' line: " + r));
        double score = Double.parseDouble(vmaf.split("\\s+")[1]);
        assertTrue(score > 0 && score < 100, vmaf);
        assertTrue(r.stdout().contains(tmpdir.toString()), () -> "the demo works in the given temporary directory: " + r);
        try (Stream<Path> left = Files.list(tmpdir)) {
            List<Path> leftovers = left.toList();
            assertEquals(List.of(), leftovers, "the demo must leave nothing in java.io.tmpdir");
        }
    }
}
