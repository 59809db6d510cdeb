package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.vmafx.distribution.Remotes.Backend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The eBPF bypass end to end ({@code VMAFX_EBPF_BYPASS=1}): the real launcher, the real kernel (the probe loaded,
 * attached and counting), a real {@code rclone mount} of an {@code alias} remote on a local directory, and the real
 * ffmpeg. Each CLI run is a new node whose mount stops when it exits, but the VFS cache directory
 * ({@code VMAFX_CACHE_DIR}) stays, so the next run's mount finds a warm cache, which the bypass reads instead of
 * FUSE:
 *
 * <ul>
 *   <li>cold job: read through FUSE (the probe counts the whole file), not bypassed ("not in the cache");
 *   <li>warm job: bypassed, (almost) nothing through FUSE, the same score as cold and as from local disk;
 *   <li>a remote object changed after it was cached (same size and newer; same size and same modification time,
 *       only the bytes; another size) is scored as its new content and not bypassed; a later job bypasses again;
 *   <li>http-serve: streamed without a VFS cache (not bypassed); with one, bypassed once warm;
 *   <li>the bypass never fails a job: as an unprivileged user, and with tracefs unmounted, the node scores and says
 *       why the bypass is not usable.
 * </ul>
 *
 * After every node run: no rclone, no FUSE mount, no {@code vmafx_*} BPF program left loaded, no link directory in
 * the cache directory, nothing in the node's temporary directory (but the native library cache).
 */
class BypassEndToEndTest {

    static final String REF = "ref.y4m";
    static final String DIS = "dis.y4m";
    /** What the probe may count through FUSE for a bypassed input: the bypass's access touch, nothing like a file. */
    static final long WARM_FUSE_BYTES_MAX = 4096;
    /** The bypass's link area in a cache directory ({@code LinkArea.DIR}). */
    static final String LINK_DIR = ".vmafx-bypass";
    /** The probe's program names (bypass-ebpf-native/src/main/bpf/vmafx_probe.bpf.c), as the kernel keeps them. */
    static final String BPF_NAME_PREFIX = "vmafx_";

    @TempDir
    static Path scratch;
    /** The clips, never changed: tests copy what they put on their remote. */
    static Path clips;
    static Path ref;
    /** {@link #ref} down-scaled to a quarter and back. */
    static Path dis;
    /** Same dimensions and frame count as {@link #dis} (so the same size), degraded otherwise: down to a half. */
    static Path disSameSize;
    /** Same size again, a third content: down to an eighth. */
    static Path disSameSizeThird;
    /** Another size: 40 frames instead of 50. */
    static Path disOtherSize;
    /** The node's score of (ref, x) from local disk, per distorted file name. */
    static final Map<String, Map<String, Object>> local = new HashMap<>();
    static long classStart;
    static final Map<String, Object> observed = new LinkedHashMap<>();

    @TempDir
    Path tmp;
    Set<Long> bpfBaseline;

    @BeforeAll
    static void makeClipsAndLocalScores() throws Exception {
        classStart = System.nanoTime();
        // The launcher rebuilds when someone edits a main source meanwhile, and that build recompiles this module's
        // test classes: their class files are briefly absent, and a helper first loaded then stays unresolvable for
        // the rest of the class. Load the helpers now, while they are there.
        for (Class<?> c : List.of(Leftovers.class, NodeDirs.class, Remotes.class, Remotes.Backend.class, Node.class,
                Node.Result.class, Clips.class, Setup.class, Side.class)) {
            Class.forName(c.getName(), true, c.getClassLoader());
        }
        Remotes.remote(Backend.LOCAL); // and the enum switch's synthetic class
        clips = Files.createDirectories(scratch.resolve("clips"));
        ref = Clips.reference(clips.resolve(REF));
        CompletableFuture<Path> d1 = CompletableFuture.supplyAsync(() -> Clips.degraded(ref, clips.resolve("dis-quarter.y4m")));
        CompletableFuture<Path> d2 = CompletableFuture.supplyAsync(() -> degrade(clips.resolve("dis-half.y4m"), 2, Clips.FRAMES));
        CompletableFuture<Path> d3 = CompletableFuture.supplyAsync(() -> degrade(clips.resolve("dis-eighth.y4m"), 8, Clips.FRAMES));
        CompletableFuture<Path> d4 = CompletableFuture.supplyAsync(() -> degrade(clips.resolve("dis-40-frames.y4m"), 4, 40));
        dis = d1.get();
        disSameSize = d2.get();
        disSameSizeThird = d3.get();
        disOtherSize = d4.get();
        assertEquals(Files.size(dis), Files.size(disSameSize), "same dimensions and frames, same y4m size");
        assertEquals(Files.size(dis), Files.size(disSameSizeThird), "same dimensions and frames, same y4m size");
        assertNotEquals(Files.size(dis), Files.size(disOtherSize));
        assertFalse(Files.mismatch(dis, disSameSize) < 0 || Files.mismatch(disSameSize, disSameSizeThird) < 0, "other bytes");

        // The reference scores from local disk (bypass off), in parallel: what every remote job must reproduce.
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (Path d : List.of(dis, disSameSize, disSameSizeThird, disOtherSize)) {
            runs.add(CompletableFuture.runAsync(() -> {
                // --common-frames: one distorted clip is shorter (the scorer refuses different lengths otherwise).
                Map<String, Object> json = Node.run("score", "--json", "--common-frames", "--reference", ref.toString(),
                        "--distorted", d.toString()).quietJson();
                synchronized (local) {
                    local.put(d.getFileName().toString(), json);
                }
            }));
        }
        for (CompletableFuture<Void> r : runs) {
            r.get();
        }
        double quarter = Node.number(local.get(dis.getFileName().toString()), "vmaf.mean");
        double half = Node.number(local.get(disSameSize.getFileName().toString()), "vmaf.mean");
        double eighth = Node.number(local.get(disSameSizeThird.getFileName().toString()), "vmaf.mean");
        double forty = Node.number(local.get(disOtherSize.getFileName().toString()), "vmaf.mean");
        assertTrue(quarter < 90, "the degraded pair scores clearly lower: " + quarter);
        // Different contents must score differently, or "scored the new content" would prove nothing.
        assertEquals(4, Set.of(quarter, half, eighth, forty).size(), () -> "four distinct scores: " + local);
        assertEquals(40.0, Node.number(local.get(disOtherSize.getFileName().toString()), "frames"));
    }

    /** {@link #ref} down-scaled by {@code factor} and back, its first {@code frames} frames. */
    static Path degrade(Path out, int factor, int frames) {
        Clips.ffmpeg("-i", ref.toString(), "-frames:v", Integer.toString(frames), "-vf",
                "scale=" + 320 / factor + ":" + 240 / factor + ",scale=320:240", "-pix_fmt", "yuv420p", out.toString());
        return out;
    }

    @BeforeEach
    void bpfBaseline() {
        // Programs someone else had loaded before this test are theirs, not ours.
        bpfBaseline = vmafxPrograms().keySet();
    }

    @AfterEach
    void safetyNet() {
        // After a failed assertion: nothing of the node's may outlive the test.
        Leftovers.cleanUp(tmp, Set.of());
    }

    @AfterAll
    static void report() {
        Leftovers.cleanUp(scratch, Set.of());
        System.out.println("bypass end to end: " + (System.nanoTime() - classStart) / 1_000_000 + " ms in all; observed "
                + observed);
    }

    // ---- mount: cold, warm, watched prefix

    @Test
    void coldJobReadsThroughFuseAndWarmJobReadsTheCacheFileForTheSameScore() throws Exception {
        Setup s = setup(dis);
        long size = Files.size(ref);
        Map<String, Object> expected = local.get(dis.getFileName().toString());

        Map<String, Object> cold = s.score(Map.of(), "mount");
        observed.put("cold", fields(cold));
        for (String side : List.of("reference", "distorted")) {
            Side in = Side.of(cold, side);
            assertAll(side + " cold: " + cold,
                    () -> assertEquals("mount", in.storage()),
                    () -> assertTrue(in.location().startsWith(s.dirs().mounts() + "/"), () -> "read through the mount: " + in),
                    () -> assertFalse(in.bypass(), "nothing cached yet: read through FUSE"),
                    () -> assertTrue(in.reason() != null && in.reason().contains("not in the cache"), () -> "why: " + in),
                    () -> assertFuseReadWholeFile(in, size));
        }
        assertSameScore(expected, cold, "cold job through the mount vs local disk");

        Map<String, Object> warm = s.score(Map.of(), "mount");
        observed.put("warm", fields(warm));
        Path links = s.dirs().cache().resolve(LINK_DIR);
        for (String side : List.of("reference", "distorted")) {
            Side in = Side.of(warm, side);
            String name = side.equals("reference") ? REF : DIS;
            assertAll(side + " warm: " + warm,
                    () -> assertEquals("mount", in.storage()),
                    () -> assertTrue(in.bypass(), "warm, complete and fresh: bypassed"),
                    () -> assertNull(in.reason(), "no bypass_reason when bypassed"),
                    () -> assertTrue(in.location().startsWith(links + "/") && in.location().endsWith("/" + name),
                            () -> "ffmpeg opened the link to the cache file, under the asset's name: " + in),
                    () -> assertTrue(in.fuseBytes() != null && in.fuseReads() != null, "the probe watched the input"),
                    () -> assertTrue(in.fuseBytes() != null && in.fuseBytes() <= WARM_FUSE_BYTES_MAX,
                            () -> "a bypassed input reads (almost) nothing through FUSE: " + in));
        }
        assertSameScore(cold, warm, "warm (bypassed) vs cold (FUSE)");
        assertSameScore(expected, warm, "warm (bypassed) vs local disk");

        // A mount outside VMAFX_EBPF_MOUNT_PREFIX is not watched, so not bypassed, however warm its cache.
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Map<String, Object> unwatched = s.score(Map.of("VMAFX_EBPF_MOUNT_PREFIX", elsewhere.toString()), "mount");
        observed.put("unwatched", fields(unwatched));
        for (String side : List.of("reference", "distorted")) {
            Side in = Side.of(unwatched, side);
            assertAll(side + " with another prefix: " + unwatched,
                    () -> assertFalse(in.bypass()),
                    () -> assertTrue(in.reason() != null && in.reason().contains("not on a watched mount"), () -> "why: " + in),
                    () -> assertNull(in.fuseBytes(), "the probe does not observe a mount outside its prefix"));
        }
        assertSameScore(expected, unwatched, "unwatched mount vs local disk");
    }

    // ---- mount: stale cache

    /**
     * After a warm job, the distorted object changes on the remote three times: (a) same size, other bytes, newer;
     * (c) same size and the very same modification time, only the bytes differ (the hash tells); (b) another size.
     * Each time the next job must score the new content, from FUSE, not bypassed for the changed input (the
     * unchanged reference still is); a later job bypasses it again, still with the new score.
     */
    @Test
    void changedRemoteObjectIsScoredAsNewAndNotBypassedThenBypassedAgain() throws Exception {
        Setup s = setup(dis);
        s.score(Map.of(), "mount");
        Map<String, Object> warm = s.score(Map.of(), "mount");
        assertTrue(Side.of(warm, "distorted").bypass() && Side.of(warm, "reference").bypass(), () -> "warm first: " + warm);

        Path remoteDis = s.data().resolve(DIS);
        Map<String, Object> changes = new LinkedHashMap<>();

        // (a) same size, other bytes, a new modification time (a plain re-upload)
        Files.copy(disSameSize, remoteDis, StandardCopyOption.REPLACE_EXISTING);
        changes.put("same size, newer", afterChange(s, disSameSize));

        // (c) same size, same modification time to the nanosecond: only the content (its md5) differs
        FileTime before = Files.getLastModifiedTime(remoteDis);
        Files.copy(disSameSizeThird, remoteDis, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(remoteDis, before);
        assertEquals(before, Files.getLastModifiedTime(remoteDis), "the modification time is the cached one");
        assertEquals(Files.size(disSameSize), Files.size(remoteDis));
        changes.put("same size, same time", afterChange(s, disSameSizeThird));

        // (b) another size
        Files.copy(disOtherSize, remoteDis, StandardCopyOption.REPLACE_EXISTING);
        changes.put("other size", afterChange(s, disOtherSize));
        observed.put("stale", changes);
    }

    /**
     * The jobs after {@code remote}'s content became the distorted object: the first is not bypassed for it and scores
     * the new content; then up to three more until it is bypassed again, each scoring the new content.
     */
    private Map<String, Object> afterChange(Setup s, Path now) throws Exception {
        Map<String, Object> expected = local.get(now.getFileName().toString());
        long size = Files.size(now);
        Map<String, Object> first = s.score(Map.of(), "mount");
        Side dis = Side.of(first, "distorted");
        Side ref = Side.of(first, "reference");
        assertAll("first job after the change to " + now.getFileName() + ": " + first,
                () -> assertFalse(dis.bypass(), "a changed object must not be read from the old cache file"),
                () -> assertTrue(dis.reason() != null && dis.reason().matches(
                        "(?s).*(changed|cannot tell whether|incomplete|not in the cache|gone).*"), () -> "why: " + dis),
                () -> assertTrue(dis.location().startsWith(s.dirs().mounts() + "/"), () -> "read through the mount: " + dis),
                () -> assertFuseReadWholeFile(dis, size),
                () -> assertTrue(ref.bypass(), () -> "the unchanged reference is still bypassed: " + ref),
                () -> assertSameScore(expected, first, "the new content, as from local disk"));
        Map<String, Object> seen = new LinkedHashMap<>();
        seen.put("first", fields(first).get("distorted"));
        for (int job = 2; job <= 4; job++) {
            Map<String, Object> next = s.score(Map.of(), "mount");
            assertSameScore(expected, next, "job " + job + " after the change to " + now.getFileName());
            Side d = Side.of(next, "distorted");
            seen.put("job " + job, fields(next).get("distorted"));
            if (d.bypass()) {
                assertTrue(d.fuseBytes() != null && d.fuseBytes() <= WARM_FUSE_BYTES_MAX, () -> "bypassed again: " + next);
                return seen;
            }
            assertTrue(d.reason() != null && !d.reason().isBlank(), () -> "why not: " + next);
        }
        throw new AssertionError("the changed object, read through FUSE since, is never bypassed again: " + seen);
    }

    // ---- http-serve

    /**
     * http-serve without a VFS cache streams: nothing to bypass. With {@code VMAFX_HTTPSERVE_VFS_CACHE=1} the serve
     * process caches like a mount: the first job reads through HTTP (and warms the cache), the next is bypassed and
     * ffmpeg reads the cache file, for the same score. The probe watches FUSE only: no FUSE counts either way.
     */
    @Test
    void httpServeWithAVfsCacheIsBypassedWhenWarmAndStreamedOtherwise() throws Exception {
        Setup s = setup(dis);
        Map<String, Object> expected = local.get(dis.getFileName().toString());
        Map<String, Object> runs = new LinkedHashMap<>();
        Map<String, String> cached = Map.of("VMAFX_HTTPSERVE_VFS_CACHE", "1");
        Path links = s.dirs().cache().resolve("httpserve").resolve(LINK_DIR);
        List<Map<String, String>> settings = List.of(Map.of(), cached, cached);
        for (int i = 0; i < settings.size(); i++) {
            Map<String, Object> json = s.score(settings.get(i), "http-serve");
            runs.put("run " + (i + 1) + " " + settings.get(i), fields(json));
            int run = i;
            for (String side : List.of("reference", "distorted")) {
                Side in = Side.of(json, side);
                String why = run == 0 ? "not read through an rclone VFS cache" : "not in the cache";
                assertAll(side + " through http-serve, run " + (run + 1) + " " + settings.get(run) + ": " + json,
                        () -> assertEquals("http-serve", in.storage()),
                        () -> assertNull(in.fuseBytes(), "nothing on a FUSE mount to count"),
                        () -> {
                            if (run < 2) {
                                assertFalse(in.bypass(), "streamed or cold: read through HTTP");
                                assertTrue(in.location().startsWith("http://127.0.0.1:"), in::toString);
                                assertTrue(in.reason() != null && in.reason().startsWith(why), () -> "why: " + in);
                            } else {
                                assertTrue(in.bypass(), () -> "warm in the serve process's VFS cache: bypassed; " + in);
                                assertTrue(in.location().startsWith(links + "/"), () -> "ffmpeg opened the link: " + in);
                            }
                        });
            }
            assertSameScore(expected, json, "http-serve run " + (i + 1) + " with the bypass on vs local disk");
        }
        observed.put("http-serve", runs);
    }

    // ---- fallbacks: the bypass never fails a job

    @Test
    void unprivilegedNodeScoresWithoutTheBypassAndNamesTheMissingCapabilities() throws Exception {
        assumeTrue(Node.isRoot(ref), "needs root to switch to an unprivileged user");
        Path in = Files.createDirectories(tmp.resolve("in"));
        Files.copy(ref, in.resolve(REF));
        Files.copy(dis, in.resolve(DIS));
        Node.worldReadable(tmp);
        Path jtmp = Files.createDirectories(tmp.resolve("java-tmp"));
        Files.setPosixFilePermissions(jtmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        Map<String, String> env = new HashMap<>();
        env.put("VMAFX_EBPF_BYPASS", "1");
        env.put("VMAFX_CACHE_DIR", tmp.resolve("cache").toString());
        env.put("VMAFX_STORAGE_MOUNT_ROOT", tmp.resolve("mounts").toString());
        env.put("TMPDIR", jtmp.toString());
        env.put("VMAFX_JAVA_OPTS", "-Djava.io.tmpdir=" + jtmp);

        Node.Result r = Node.runAsNobody(tmp, env, in, "score", "--json", "--storage-mode", "local",
                "--reference", in.resolve(REF).toString(), "--distorted", in.resolve(DIS).toString());
        r.assertNoStackTrace();
        Map<String, Object> json = r.json();
        observed.put("nobody", Map.of("score", fields(json), "stderr", r.stderr().strip()));
        assertSameScore(local.get(dis.getFileName().toString()), json, "as nobody, bypass on but unusable, vs local disk");
        assertTrue(r.stderrLines().stream().anyMatch(l -> l.contains("warning")
                        && l.contains("missing capabilities CAP_BPF and CAP_PERFMON")),
                () -> "a warning naming the missing capabilities: " + r);
        for (String side : List.of("reference", "distorted")) {
            Side s = Side.of(json, side);
            assertAll(side + " as nobody: " + r,
                    () -> assertEquals("local", s.storage()),
                    () -> assertFalse(s.bypass()),
                    () -> assertTrue(s.reason() != null && !s.reason().isBlank(), "why"));
        }

        Node.Result p = Node.runAsNobody(tmp, env, in, "providers", "--json");
        p.assertNoStackTrace();
        Map<String, Object> ebpf = ebpf(p.json());
        observed.put("nobody providers ebpf", ebpf);
        assertEquals(Boolean.FALSE, ebpf.get("usable"), () -> "ebpf for nobody: " + p);
        assertTrue(String.valueOf(ebpf.get("reason")).contains("missing capabilities CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)"),
                () -> "the precise reason: " + ebpf);

        Leftovers.assertNone(tmp, tmp, Set.of(), jtmp, tmp.resolve("mounts"));
        assertNoBypassLeftovers(tmp.resolve("cache"), tmp);

        // Last, so that the checks above run whatever this says.
        assertAll("per-input reasons as nobody: " + r, List.of("reference", "distorted").stream()
                .map(side -> (Executable) () -> assertNotOff(Side.of(json, side))));
    }

    @Test
    void withoutTracefsTheMountJobReadsThroughFuseAndProvidersNamesTracefs() throws Exception {
        Setup s = setup(dis);
        List<String> noTracefs = List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                "umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug/tracing 2>/dev/null; "
                        + "if [ -d /sys/kernel/tracing/events ] || [ -d /sys/kernel/debug/tracing/events ]; then "
                        + "echo 'test set-up: tracefs is still mounted in the private mount namespace' >&2; exit 97; fi; "
                        + "exec \"$@\"", "sh");
        Map<String, String> env = s.dirs().env(Map.of("VMAFX_EBPF_BYPASS", "1"));

        Node.Result r = Node.run(noTracefs, env, Node.ROOT, "score", "--json", "--storage-mode", "mount",
                "--reference", "loc:" + REF, "--distorted", "loc:" + DIS);
        r.assertNoStackTrace();
        Map<String, Object> json = r.json();
        observed.put("no tracefs", Map.of("score", fields(json), "stderr", r.stderr().strip()));
        assertSameScore(local.get(dis.getFileName().toString()), json, "without tracefs vs local disk");
        assertTrue(r.stderrLines().stream().anyMatch(l -> l.contains("warning") && l.contains("tracefs")),
                () -> "a warning naming tracefs: " + r);
        for (String side : List.of("reference", "distorted")) {
            Side in = Side.of(json, side);
            assertAll(side + " without tracefs: " + r,
                    () -> assertEquals("mount", in.storage()),
                    () -> assertTrue(in.location().startsWith(s.dirs().mounts() + "/"), () -> "read through FUSE: " + in),
                    () -> assertFalse(in.bypass()),
                    () -> assertTrue(in.reason() != null && !in.reason().isBlank(), "why"),
                    () -> assertNull(in.fuseBytes(), "no probe, no count"));
        }
        s.assertNothingLeft();

        Node.Result p = Node.run(noTracefs, env, Node.ROOT, "providers", "--json");
        p.assertNoStackTrace();
        Map<String, Object> ebpf = ebpf(p.json());
        observed.put("no tracefs providers ebpf", ebpf);
        assertEquals(Boolean.FALSE, ebpf.get("usable"), () -> "ebpf without tracefs: " + p);
        assertTrue(String.valueOf(ebpf.get("reason")).contains("tracefs is not mounted at /sys/kernel/tracing"),
                () -> "the reason names tracefs: " + ebpf);
        s.assertNothingLeft();

        // Last, so that the checks above run whatever this says: the input was read through a VFS cache on a
        // watched mount, so the only true reason is that the bypass is unusable, and why.
        assertAll("per-input reasons without tracefs: " + r, List.of("reference", "distorted").stream()
                .map(side -> (Executable) () -> {
                    Side in = Side.of(json, side);
                    assertNotOff(in);
                    assertTrue(in.reason().contains("tracefs") || in.reason().contains("not usable")
                            || in.reason().contains("unusable"), () -> "why, when the bypass is on but unusable: " + in);
                }));
    }

    /**
     * With {@code VMAFX_EBPF_BYPASS=1} set, an input's reason must not say that the bypass is off and that
     * {@code VMAFX_EBPF_BYPASS=1} turns it on: it is on, and unusable.
     */
    private static void assertNotOff(Side in) {
        assertFalse(in.reason() != null && (in.reason().contains("bypass is off") || in.reason().contains("turns it on")),
                () -> "VMAFX_EBPF_BYPASS=1 is set: the reason must not say the bypass is off: " + in);
    }

    // ---- set-up and checks

    /** A test's remote (an alias of its own data directory holding ref.y4m and dis.y4m) and node directories. */
    record Setup(Path data, NodeDirs dirs, Path marker, Set<Long> bpfBaseline) {

        /** {@code score --json} with the bypass on, through {@code mode}; asserts a quiet success and that nothing is left. */
        Map<String, Object> score(Map<String, String> extra, String mode) throws Exception {
            Map<String, String> env = new HashMap<>(Map.of("VMAFX_EBPF_BYPASS", "1"));
            env.putAll(extra);
            Node.Result r = Node.run(dirs.env(env), Node.ROOT, "score", "--json", "--common-frames", "--storage-mode", mode,
                    "--reference", "loc:" + REF, "--distorted", "loc:" + DIS);
            r.assertNoStackTrace();
            Map<String, Object> json = r.quietJson();
            assertNothingLeft();
            return json;
        }

        void assertNothingLeft() throws InterruptedException {
            dirs.assertClean(Set.of());
            assertNoBypassLeftovers(dirs.cache(), marker, bpfBaseline);
        }
    }

    private Setup setup(Path distorted) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.copy(ref, data.resolve(REF));
        Files.copy(distorted, data.resolve(DIS));
        NodeDirs dirs = new NodeDirs(tmp.resolve("node"));
        try (Remotes remotes = Remotes.start(tmp.resolve("servers"), data, EnumSet.of(Backend.LOCAL))) {
            remotes.writeConfig(dirs.config());
        }
        return new Setup(data, dirs, tmp, bpfBaseline);
    }

    private void assertNoBypassLeftovers(Path cacheDir, Path marker) throws InterruptedException {
        assertNoBypassLeftovers(cacheDir, marker, bpfBaseline);
    }

    /**
     * No link directory in {@code cacheDir} (nor in http-serve's cache below it) and no {@code vmafx_*} BPF program
     * loaded since the test began that is held by no process or by one of the test's (its command line names
     * {@code marker}); programs other processes hold are someone else's. The kernel frees a program shortly after
     * its last holder exits: up to 3 s.
     */
    static void assertNoBypassLeftovers(Path cacheDir, Path marker, Set<Long> baseline) throws InterruptedException {
        for (Path links : List.of(cacheDir.resolve(LINK_DIR), cacheDir.resolve("httpserve").resolve(LINK_DIR))) {
            assertEquals(List.of(), Leftovers.entries(links), () -> "link directories left in " + links);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        Map<Long, String> left = ourPrograms(marker, baseline);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = ourPrograms(marker, baseline);
        }
        assertEquals(Map.of(), left, "BPF programs left loaded (id: name, holders)");
    }

    private static Map<Long, String> ourPrograms(Path marker, Set<Long> baseline) {
        Map<Long, String> fresh = new TreeMap<>(vmafxPrograms());
        fresh.keySet().removeAll(baseline);
        if (fresh.isEmpty()) {
            return fresh;
        }
        Map<Long, Set<Long>> holders = programHolders();
        Map<Long, String> ours = new TreeMap<>();
        for (Map.Entry<Long, String> e : fresh.entrySet()) {
            Set<Long> pids = holders.getOrDefault(e.getKey(), Set.of());
            List<String> ourHolders = pids.stream().map(BypassEndToEndTest::cmdline)
                    .filter(c -> c.contains(marker.toString())).toList();
            if (pids.isEmpty() || !ourHolders.isEmpty()) {
                ours.put(e.getKey(), e.getValue() + " held by " + (pids.isEmpty() ? "no process (pinned?)" : ourHolders));
            }
        }
        return ours;
    }

    /** {@code bpftool prog show --json}: id to name of every loaded program whose name starts with {@code vmafx_}. */
    static Map<Long, String> vmafxPrograms() {
        try {
            Process p = new ProcessBuilder("bpftool", "prog", "show", "--json")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                fail("bpftool prog show failed (exit " + (p.isAlive() ? "?" : p.exitValue()) + "): " + out);
            }
            Map<Long, String> found = new TreeMap<>();
            for (Object o : JSON.std.listFrom(out.isBlank() ? "[]" : out)) {
                if (o instanceof Map<?, ?> m && m.get("name") instanceof String name && name.startsWith(BPF_NAME_PREFIX)
                        && m.get("id") instanceof Number id) {
                    found.put(id.longValue(), name);
                }
            }
            return found;
        } catch (IOException e) {
            throw new AssertionError("cannot run bpftool (scripts/setup.sh installs it): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Program id to the pids holding it: {@code prog_id:} in {@code /proc/<pid>/fdinfo/*} (program and link fds). */
    private static Map<Long, Set<Long>> programHolders() {
        Map<Long, Set<Long>> holders = new HashMap<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), q -> q.getFileName().toString().matches("\\d+"))) {
            for (Path pid : proc) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(pid.resolve("fdinfo"))) {
                    for (Path fd : fds) {
                        for (String line : Files.readAllLines(fd)) {
                            if (line.startsWith("prog_id:")) {
                                holders.computeIfAbsent(Long.parseLong(line.substring(8).trim()), k -> new HashSet<>())
                                        .add(Long.parseLong(pid.getFileName().toString()));
                            }
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile, or not ours to read
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc: " + e, e);
        }
        return holders;
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    /** One input of a {@code score --json} result. */
    record Side(String storage, String location, boolean bypass, String reason, Long fuseBytes, Long fuseReads) {
        static Side of(Map<String, Object> json, String side) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) Node.at(json, side);
            Object bypass = m.get("bypass");
            if (!(bypass instanceof Boolean)) {
                throw new AssertionError("no boolean '" + side + ".bypass' in " + json);
            }
            return new Side((String) m.get("storage"), (String) m.get("location"), (Boolean) bypass,
                    (String) m.get("bypass_reason"), number(m.get("fuse_bytes")), number(m.get("fuse_reads")));
        }

        private static Long number(Object o) {
            return o instanceof Number n ? n.longValue() : null;
        }
    }

    /** The probe counted the whole file going through FUSE: within 1 % of its size. */
    private static void assertFuseReadWholeFile(Side in, long size) {
        assertTrue(in.fuseBytes() != null && in.fuseReads() != null && in.fuseReads() > 0,
                () -> "the probe observed the input: " + in);
        assertTrue(Math.abs(in.fuseBytes() - size) <= size / 100,
                () -> "fuse_bytes " + in.fuseBytes() + " is not within 1 % of the file's " + size + " bytes: " + in);
    }

    /** Same mean, frame count and per-frame scores. */
    private static void assertSameScore(Map<String, Object> expected, Map<String, Object> actual, String what) {
        assertEquals(Node.number(expected, "vmaf.mean"), Node.number(actual, "vmaf.mean"), 1e-6, () -> what + ": " + actual);
        assertEquals(Node.number(expected, "frames"), Node.number(actual, "frames"), () -> what + ": " + actual);
        List<?> e = (List<?>) Node.at(expected, "vmaf.per_frame");
        List<?> a = (List<?>) Node.at(actual, "vmaf.per_frame");
        assertEquals(e.size(), a.size(), what);
        for (int i = 0; i < e.size(); i++) {
            assertEquals(((Number) e.get(i)).doubleValue(), ((Number) a.get(i)).doubleValue(), 1e-6, what + ", frame " + i);
        }
    }

    private static Map<String, Object> ebpf(Map<String, Object> providers) {
        Map<String, Map<String, Object>> byName = Node.objects(providers, "bypass").stream()
                .collect(Collectors.toMap(b -> (String) b.get("name"), Function.identity()));
        Map<String, Object> ebpf = byName.get("ebpf");
        if (ebpf == null) {
            throw new AssertionError("no ebpf bypass provider: " + providers);
        }
        return ebpf;
    }

    /** The bypass fields of both inputs and the mean, for the report. */
    private static Map<String, Object> fields(Map<String, Object> json) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("mean", Node.number(json, "vmaf.mean"));
        for (String side : List.of("reference", "distorted")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) Node.at(json, side);
            Map<String, Object> s = new LinkedHashMap<>();
            for (String k : List.of("bypass", "bypass_reason", "fuse_bytes", "fuse_reads")) {
                if (m.containsKey(k)) {
                    s.put(k, m.get(k));
                }
            }
            f.put(side, s);
        }
        return f;
    }
}
