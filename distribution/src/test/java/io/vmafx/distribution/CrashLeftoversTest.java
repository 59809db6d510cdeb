package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a node killed with SIGKILL leaves, with a real {@code bin/vmafx-node serve} in the middle of a job: its rclone
 * processes die with it (the kernel's parent-death signal), the credentials in its files stop working, and the next
 * node that starts removes the rest (dead mounts, temporary files). Without {@code setpriv} on the PATH the rclone
 * processes outlive the node, and the next node stops them. And the cap on rclone processes: 30 jobs naming 30
 * remote roots keep at most {@code VMAFX_RCLONE_MAX_PROCESSES} rclone processes; a job that finds every one busy
 * waits, then fails with the reason in one line.
 */
class CrashLeftoversTest {

    static final int ROOTS = 30;
    static final Pattern REAPED = Pattern.compile("start-up: removed (\\d+) things killed nodes left, in (\\d+) ms");

    @TempDir
    static Path scratch;
    static NodeDirs dirs;
    static Path noSetprivBin;
    private static final List<String> table = new ArrayList<>();

    @BeforeAll
    static void clips() throws Exception {
        Path data = scratch.resolve("data");
        Clips.testPattern(data.resolve("long/ref.y4m"), 640, 360, 10);
        Clips.degraded(data.resolve("long/ref.y4m"), data.resolve("long/dis.y4m"), 640, 360);
        Clips.testPattern(data.resolve("tiny/ref.y4m"), 160, 90, 1);
        Clips.degraded(data.resolve("tiny/ref.y4m"), data.resolve("tiny/dis.y4m"), 160, 90);
        dirs = new NodeDirs(scratch.resolve("node"));
        StringBuilder conf = new StringBuilder("[loc]\ntype = alias\nremote = " + data + "\n");
        for (int i = 1; i <= ROOTS; i++) {
            conf.append("\n[loc").append(i).append("]\ntype = alias\nremote = ").append(data).append("\n");
        }
        Files.writeString(dirs.config(), conf.toString());
        noSetprivBin = withoutSetpriv(scratch.resolve("bin-without-setpriv"));
    }

    /** A directory with a link to every command on the PATH but setpriv: a machine without util-linux's setpriv. */
    private static Path withoutSetpriv(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String d : System.getenv("PATH").split(":")) {
            Path p = Path.of(d);
            if (d.isEmpty() || !Files.isDirectory(p)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
                for (Path e : entries) {
                    Path link = dir.resolve(e.getFileName().toString());
                    if (!e.getFileName().toString().equals("setpriv") && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, e);
                    }
                }
            }
        }
        assertFalse(Files.exists(dir.resolve("setpriv")));
        return dir;
    }

    @AfterEach
    void safetyNet() {
        Leftovers.cleanUp(scratch, Set.of());
    }

    @org.junit.jupiter.api.AfterAll
    static void printTable() {
        System.out.println("crash leftovers and the rclone cap:\n" + String.join("\n", table));
    }

    private static Map<String, String> env(String... extra) {
        Map<String, String> e = new HashMap<>();
        e.put("VMAFX_HTTPSERVE_IDLE", "10m");
        e.put("VMAFX_MOUNT_IDLE", "10m");
        for (int i = 0; i < extra.length; i += 2) {
            e.put(extra[i], extra[i + 1]);
        }
        return dirs.env(e);
    }

    /** SIGKILL to the node's JVM only (the launcher execs java: one pid), as the OOM killer or {@code kill -9} would. */
    private static void sigkill(ServeNode serve) throws InterruptedException {
        ProcessHandle.of(serve.node.process().pid()).orElseThrow().destroyForcibly();
        assertTrue(serve.node.process().waitFor(10, TimeUnit.SECONDS), "the node did not die");
    }

    /** The rclone processes with this test's config on their command line, pid to command. */
    private static List<Long> rclonePids() {
        return Leftovers.rcloneProcesses(dirs.config().toString(), Set.of()).stream()
                .map(l -> Long.parseLong(l.substring(0, l.indexOf(':')))).toList();
    }

    /** The files below {@code dir}, but the bypass's native library cache, which stays on purpose (see {@link Leftovers}). */
    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(f -> !Leftovers.isNativeLibraryCache(f.getParent()) || !f.getParent().getParent().equals(dir)).toList();
        }
    }

    /** A node start that finds the leftovers: {@code providers --json}, with the reap's own log lines. */
    private static Node.Result startAnotherNode() {
        return Node.run(env("VMAFX_LOG_LEVEL", "info"), Node.ROOT, "providers", "--json");
    }

    /** Waits until none of {@code pids} runs; returns how long that took. */
    private static long awaitGone(List<Long> pids, long millis) throws InterruptedException {
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.MILLISECONDS.toNanos(millis);
        while (pids.stream().anyMatch(CrashLeftoversTest::running) && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * Whether {@code pid} runs: a zombie has died and waits only for init to collect it (this VM's init does that
     * about once a second, a delay no node can shorten).
     */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    // ---- SIGKILL mid-job, with the parent-death signal

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http-serve", "mount"})
    void aKilledNodesRcloneDiesWithItItsCredentialsStopWorkingAndTheNextNodeRemovesTheRest(String mode) throws Exception {
        String concatUrl = null;
        List<Long> rclone;
        ProcessHandle ffmpeg;
        try (ServeNode serve = ServeNode.start(env(), "--storage-mode", mode)) {
            String id = serve.submit("loc:long/ref.y4m", "loc:long/dis.y4m");
            serve.awaitRunning(id, 30);
            ffmpeg = serve.node.awaitMidJob();
            rclone = serve.node.descendants("rclone").stream().map(ProcessHandle::pid).toList();
            assertEquals(1, rclone.size(), "one rclone for the root loc:");
            if (mode.equals("http-serve")) {
                // The scorer's filter graphs carry the inputs' URLs, credentials included (so that argv does not).
                List<Path> lists = files(dirs.tmp()).stream().filter(p -> p.toString().endsWith("score.graph")).toList();
                assertEquals(1, lists.size(), () -> "the scoring run's filter graph in the node's temporary directory: " + lists);
                assertTrue(lists.get(0).startsWith(dirs.tmp().resolve("vmafx-node-" + System.getProperty("user.name"))),
                        "in the node's own runtime directory: " + lists.get(0));
                // The graph escapes every special character with a backslash and quotes the value: undo both.
                String graph = Files.readString(lists.get(0)).replace("\\", "");
                Matcher m = Pattern.compile("movie@reference='(http://[^']+)'").matcher(graph);
                assertTrue(m.find(), graph);
                concatUrl = m.group(1);
                assertEquals(200, get(concatUrl), "the list's credentials work while the node runs");
            } else {
                assertEquals(1, Leftovers.fuseMounts(dirs.mounts()).size(), "the mount is up");
            }
            sigkill(serve);
        }
        long ms = awaitGone(rclone, 5_000);
        long ffmpegMs = awaitGone(List.of(ffmpeg.pid()), 10_000);
        table.add(String.format("SIGKILL mid-job, %-10s  rclone gone after %5d ms, ffmpeg after %5d ms", mode, ms, ffmpegMs));
        assertTrue(rclone.stream().noneMatch(CrashLeftoversTest::running), "the node's rclone died with it (setpriv --pdeathsig)");
        assertFalse(running(ffmpeg.pid()), "ffmpeg ended too (its input went away)");
        if (concatUrl != null) {
            String url = concatUrl;
            assertThrows(IOException.class, () -> get(url), "nothing answers the credentials left in the killed node's file");
        }
        // What the kernel cannot take away: the temporary files (with those credentials) and, for mount, the dead mount.
        boolean leftFiles = !files(dirs.tmp()).isEmpty();
        boolean leftMount = !Leftovers.fuseMounts(dirs.mounts()).isEmpty();
        assertTrue(mode.equals("mount") ? leftMount : leftFiles, "something for the next node to remove");

        Node.Result next = startAnotherNode();
        assertEquals(0, next.exit(), next::toString);
        Matcher reaped = REAPED.matcher(next.stderr());
        assertTrue(reaped.find(), () -> "the next node says what it removed: " + next);
        table.add(String.format("SIGKILL mid-job, %-10s  next node removed %s things in %s ms", mode, reaped.group(1), reaped.group(2)));
        assertAll(
                () -> assertEquals(List.of(), files(dirs.tmp()), "the killed node's temporary files (credentials) are gone"),
                () -> assertEquals(List.of(), Leftovers.entries(dirs.tmp()).stream()
                        .filter(e -> !Leftovers.isNativeLibraryCache(dirs.tmp().resolve(e))).toList(), "and its directories"),
                () -> dirs.assertClean(Set.of()));
    }

    private static int get(String urlWithCredentials) throws IOException, InterruptedException {
        URI u = URI.create(urlWithCredentials);
        String auth = "Basic " + Base64.getEncoder().encodeToString(u.getRawUserInfo().getBytes(StandardCharsets.UTF_8));
        URI plain = URI.create("http://" + u.getHost() + ":" + u.getPort() + u.getRawPath());
        HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).connectTimeout(Duration.ofSeconds(2)).build();
        return http.send(HttpRequest.newBuilder(plain).method("HEAD", HttpRequest.BodyPublishers.noBody()).header("Authorization", auth)
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    // ---- without setpriv: orphans, reaped by the next node (the measurement)

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http-serve", "mount"})
    void withoutSetprivTheNextNodeStopsTheOrphansAndUnmounts(String mode) throws Exception {
        for (int n : new int[] {1, 8, 16}) {
            try (ServeNode serve = ServeNode.start(env("PATH", noSetprivBin.toString(), "VMAFX_RCLONE_MAX_PROCESSES", "64"),
                    "--storage-mode", mode, "--queue", "64")) {
                List<String> ids = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    ids.add(serve.submit("loc" + i + ":tiny/ref.y4m", "loc" + i + ":tiny/dis.y4m"));
                }
                for (String id : ids) {
                    assertEquals("succeeded", serve.awaitEnd(id, 60).get("state"), id);
                }
                sigkill(serve);
            }
            Thread.sleep(500);
            List<Long> orphans = rclonePids();
            int mounts = Leftovers.fuseMounts(dirs.mounts()).size();
            assertEquals(n, orphans.size(), "without setpriv the rclone processes outlive the node");
            assertEquals(mode.equals("mount") ? n : 0, mounts);

            long t0 = System.nanoTime();
            Node.Result next = startAnotherNode();
            long wall = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, next.exit(), next::toString);
            Matcher reaped = REAPED.matcher(next.stderr());
            assertTrue(reaped.find(), next::toString);
            long nothing = timedStart();
            table.add(String.format("no setpriv, %-10s  %2d rclone + %2d mounts left: reaped %3s things in %5s ms;"
                    + " that node start %5d ms, a start with nothing left %5d ms", mode, orphans.size(), mounts, reaped.group(1),
                    reaped.group(2), wall, nothing));
            assertEquals(List.of(), rclonePids(), "the orphans were stopped");
            dirs.assertClean(Set.of());
        }
    }

    private static long timedStart() {
        long t0 = System.nanoTime();
        Node.Result r = startAnotherNode();
        assertEquals(0, r.exit(), r::toString);
        assertFalse(REAPED.matcher(r.stderr()).find(), () -> "nothing was left: " + r);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    // ---- the cap

    @Test
    void thirtyRemoteRootsKeepAtMostTheCapOfRcloneProcesses() throws Exception {
        for (String mode : List.of("http-serve", "mount")) {
            for (String cap : List.of("1000", "default")) {
                String[] extra = cap.equals("default") ? new String[0] : new String[] {"VMAFX_RCLONE_MAX_PROCESSES", cap};
                try (ServeNode serve = ServeNode.start(env(extra), "--storage-mode", mode, "--queue", "64")) {
                    List<String> ids = new ArrayList<>();
                    for (int i = 1; i <= ROOTS; i++) {
                        ids.add(serve.submit("loc" + i + ":tiny/ref.y4m", "loc" + i + ":tiny/dis.y4m"));
                    }
                    for (String id : ids) {
                        Map<String, Object> job = serve.awaitEnd(id, 120);
                        assertEquals("succeeded", job.get("state"), job::toString);
                    }
                    List<ProcessHandle> rclone = serve.node.descendants("rclone");
                    long rssKb = rclone.stream().mapToLong(CrashLeftoversTest::rssKb).sum();
                    table.add(String.format("30 remote roots, %-10s cap %-12s %2d rclone processes, %5d MB RSS, %2d mounts", mode,
                            cap.equals("default") ? "8 (default)" : "none (1000)", rclone.size(), rssKb / 1024,
                            Leftovers.fuseMounts(dirs.mounts()).size()));
                    if (cap.equals("default")) {
                        assertTrue(rclone.size() <= 8, "at most VMAFX_RCLONE_MAX_PROCESSES (8): " + rclone.size());
                    } else {
                        assertEquals(ROOTS, rclone.size(), "without the cap every root keeps its process until it idles out");
                    }
                    Node.Result r = serve.terminate(60);
                    assertEquals(0, r.exit(), r::toString);
                }
                dirs.assertClean(Set.of());
            }
        }
    }

    private static void signal(ProcessHandle p, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(p.pid())).start();
        assertTrue(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -s " + name);
    }

    private static long rssKb(ProcessHandle p) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            // gone
        }
        return 0;
    }

    @Test
    void aJobThatFindsEveryRcloneBusyWaitsThenFailsWithTheReasonInOneLineAndTheNextOneRuns() throws Exception {
        try (ServeNode serve = ServeNode.start(env("VMAFX_RCLONE_MAX_PROCESSES", "1", "VMAFX_HTTPSERVE_READY_TIMEOUT", "5s"))) {
            String busy = serve.submit("loc1:long/ref.y4m", "loc1:long/dis.y4m");
            serve.awaitRunning(busy, 30);
            ProcessHandle ffmpeg = serve.node.awaitDescendant("ffprobe", 30);
            // The busy job holds loc1's process for as long as the test needs: its ffmpeg is stopped meanwhile.
            signal(ffmpeg, "STOP");
            Map<String, Object> job;
            long ms;
            try {
                long t0 = System.nanoTime();
                String starved = serve.submit("loc2:tiny/ref.y4m", "loc2:tiny/dis.y4m");
                job = serve.awaitEnd(starved, 30);
                ms = (System.nanoTime() - t0) / 1_000_000;
            } finally {
                signal(ffmpeg, "CONT");
            }
            String error = String.valueOf(job.get("error"));
            table.add("cap 1, every rclone busy: the job failed after " + ms + " ms: " + error);
            assertEquals("failed", job.get("state"), job::toString);
            assertFalse(error.contains("\n"));
            assertTrue(error.matches("(reference|distorted): cannot read loc2:tiny/(ref|dis)\\.y4m: 1 rclone process runs already"
                    + " \\(VMAFX_RCLONE_MAX_PROCESSES = 1\\), it serves an input of a running job, and none was free within 5 s,"
                    + " so the http-serve process for loc2: cannot start"), error);
            assertTrue(ms >= 5_000, "it waited the ready timeout first: " + ms);
            assertEquals("succeeded", serve.awaitEnd(busy, 120).get("state"));
            // Now idle, loc1's process makes room for loc2's.
            String next = serve.submit("loc2:tiny/ref.y4m", "loc2:tiny/dis.y4m");
            assertEquals("succeeded", serve.awaitEnd(next, 60).get("state"));
            assertEquals(1, serve.node.descendants("rclone").size());
            assertEquals(0, serve.terminate(60).exit());
        }
        dirs.assertClean(Set.of());
    }
}
