package io.vmafx.bypass.ebpf.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.spi.bypass.TrafficWatch;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fallbacks, for real, in child JVMs: each runs the preflight ({@code io.vmafx.bypass.ebpf.Preflight}, which
 * prints every reason, one a line) or starts a probe, in the situation it is about: as an unprivileged user
 * without capabilities, with tracefs unmounted in a private mount namespace, with the library's directory on a
 * noexec tmpfs, with a missing override file, with a program the verifier refuses.
 */
class ProbeFallbackTest {

    private static final String PREFLIGHT = "io.vmafx.bypass.ebpf.Preflight";

    private static Path work;
    private static String classPath;

    @BeforeAll
    static void setUp() throws Exception {
        TestSystem.require(TestSystem.isRoot(), "the fallback tests switch users and mount namespaces: they run as root");
        TestSystem.require(TestSystem.onPath("setpriv") && TestSystem.onPath("unshare"), "setpriv and unshare (util-linux) are needed");
        work = Files.createTempDirectory("vmafx-probe-fallback-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x")); // the unprivileged child reads its class path here
        Path tmp = Files.createDirectory(work.resolve("tmp"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> cp = new ArrayList<>();
        cp.add(copy(ProbeSession.class, "main").toString());       // bypass-ebpf classes and the native libraries
        cp.add(copy(TrafficWatch.class, "api").toString());         // vmafx-api
        cp.add(copy(StartProbeMain.class, "test").toString());      // this test's mains
        classPath = String.join(":", cp);
        TestSystem.run(List.of("chmod", "-R", "a+rX", work.resolve("cp").toString()), 30);
    }

    @AfterAll
    static void tearDown() {
        TestSystem.deleteTree(work);
        if (work != null) {
            assertTrue(TestSystem.run(List.of("grep", "-c", work.toString(), "/proc/self/mountinfo"), 10).out().trim().equals("0"),
                    "a mount of the test is left");
            assertTrue(Files.isDirectory(Path.of("/sys/kernel/tracing/events")), "tracefs must still be mounted here");
        }
    }

    /** Copies the class path entry (directory or jar) holding {@code c} to work/cp/name. */
    private static Path copy(Class<?> c, String name) throws IOException, URISyntaxException {
        Path from = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path to = work.resolve("cp").resolve(name);
        Files.createDirectories(to.getParent());
        if (Files.isDirectory(from)) {
            try (var walk = Files.walk(from)) {
                for (Path p : walk.toList()) {
                    Path t = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(t);
                    } else {
                        Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            return to;
        }
        Path jar = to.resolveSibling(name + ".jar");
        Files.copy(from, jar, StandardCopyOption.REPLACE_EXISTING);
        return jar;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** java with the copied class path, a private temporary directory, no XDG_RUNTIME_DIR, and then {@code args}. */
    private static List<String> javaCommand(List<String> args) {
        List<String> c = new ArrayList<>(List.of(java(), "-Djava.io.tmpdir=" + work.resolve("tmp"), "-cp", classPath));
        c.addAll(args);
        return c;
    }

    private static TestSystem.Result runChild(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        TestSystem.Result r = TestSystem.run(pb, 120);
        System.out.println("[probe tests] " + String.join(" ", command.subList(0, Math.min(command.size(), 8)))
                + (command.size() > 8 ? " ..." : "") + "\n  exit " + r.exit() + "\n  " + r.out().strip().replace("\n", "\n  "));
        return r;
    }

    private static List<String> lines(TestSystem.Result r) {
        return r.out().lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING") && !l.matches("^\\w{3} \\d+, \\d{4} .*")).toList();
    }

    private static String shQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String shCommand(List<String> command) {
        return String.join(" ", command.stream().map(ProbeFallbackTest::shQuote).toList());
    }

    @Test
    void asRootWithEverythingInPlaceThePreflightPasses() {
        TestSystem.Result r = runChild(javaCommand(List.of(PREFLIGHT)));
        assertEquals(0, r.exit(), r.out());
        assertTrue(lines(r).get(0).matches("eBPF probe preflight: ok \\(reads counted by (FENTRY|SYSCALL_TRACEPOINTS)\\)"), r.out());
    }

    @Test
    void anUnprivilegedUserIsToldWhichCapabilitiesAreMissing() {
        List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"));
        c.addAll(javaCommand(List.of(PREFLIGHT)));
        TestSystem.Result r = runChild(c);
        assertEquals(1, r.exit(), r.out());
        List<String> lines = lines(r);
        assertTrue(lines.contains("missing capabilities CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)"), r.out());
        assertTrue(lines.contains("tracefs is mounted at /sys/kernel/tracing but this user cannot read its events/ (tracefs is"
                + " root's only), and the probe's syscall tracepoints need it"), r.out());
        assertEquals("eBPF probe preflight: 2 problems", lines.get(0), "exactly these two: " + r.out());

        c = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"));
        c.addAll(javaCommand(List.of(StartProbeMain.class.getName(), "/run/vmafx/mounts")));
        r = runChild(c);
        assertEquals(1, r.exit(), r.out());
        assertTrue(lines(r).contains("failed: reading tracefs (/sys/kernel/tracing/events), through which the syscall"
                + " tracepoints are attached: Permission denied (errno 13)"), r.out());
    }

    @Test
    void withTracefsUnmountedThePreflightNamesTracefs() {
        String inner = "umount /sys/kernel/tracing && exec " + shCommand(javaCommand(List.of(PREFLIGHT)));
        TestSystem.Result r = runChild(List.of("unshare", "-m", "--propagation", "private", "sh", "-c", inner));
        assertEquals(1, r.exit(), r.out());
        assertEquals(List.of("eBPF probe preflight: 1 problem",
                "tracefs is not mounted at /sys/kernel/tracing (nor at /sys/kernel/debug/tracing), and the probe's syscall"
                        + " tracepoints need it (mount -t tracefs tracefs /sys/kernel/tracing)"), lines(r));

        inner = "umount /sys/kernel/tracing && exec " + shCommand(javaCommand(List.of(StartProbeMain.class.getName(), "/run/vmafx/mounts")));
        r = runChild(List.of("unshare", "-m", "--propagation", "private", "sh", "-c", inner));
        assertEquals(1, r.exit(), r.out());
        assertTrue(lines(r).get(0).startsWith("failed: tracefs is not mounted (neither /sys/kernel/tracing nor"
                + " /sys/kernel/debug/tracing has events/), so the syscall tracepoints cannot be attached; mount it: mount -t"
                + " tracefs tracefs /sys/kernel/tracing: No such file or directory (errno 2)"), r.out());
    }

    @Test
    void aLibraryDirectoryOnANoexecMountIsNamed() throws IOException {
        Path noexec = Files.createDirectory(work.resolve("noexec"));
        List<String> java = new ArrayList<>(List.of(java(), "-Djava.io.tmpdir=" + noexec, "-cp", classPath, PREFLIGHT));
        String inner = "mount -t tmpfs -o noexec,size=16m tmpfs " + shQuote(noexec.toString()) + " && exec " + shCommand(java);
        TestSystem.Result r = runChild(List.of("unshare", "-m", "--propagation", "private", "sh", "-c", inner));
        assertEquals(1, r.exit(), r.out());
        List<String> lines = lines(r);
        assertEquals("eBPF probe preflight: 1 problem", lines.get(0), r.out());
        String reason = lines.get(1);
        assertTrue(reason.startsWith("the probe's native library cannot be loaded: cannot load " + noexec + "/vmafx-native-0/libvmafx_bypass_ebpf-"), reason);
        assertTrue(reason.contains(": its directory is on a file system mounted noexec (mount point " + noexec
                + " is mounted noexec), so the library cannot be mapped executable; set -Dvmafx.bypass.library.dir="), reason);
        assertTrue(reason.contains("failed to map segment from shared object"), "the loader's own words too: " + reason);
    }

    @Test
    void aMissingOverrideFileIsNamed() {
        Path missing = work.resolve("nowhere/libvmafx_bypass_ebpf.so");
        TestSystem.Result r = runChild(javaCommand(List.of("-Dvmafx.bypass.library=" + missing, PREFLIGHT)));
        assertEquals(1, r.exit(), r.out());
        assertEquals(List.of("eBPF probe preflight: 1 problem",
                "the probe's native library cannot be loaded: -Dvmafx.bypass.library=" + missing + ": no such file"), lines(r));
    }

    @Test
    void aProgramTheVerifierRefusesIsReportedWithTheVerifiersWords() {
        TestSystem.Result r = runChild(javaCommand(List.of("-Dvmafx.bypass.selftest=verifier-reject",
                "-Djava.util.logging.config.file=/dev/null", PREFLIGHT)));
        assertEquals(1, r.exit(), r.out());
        List<String> lines = lines(r);
        assertEquals("eBPF probe preflight: 1 problem", lines.get(0), r.out());
        assertTrue(lines.get(1).startsWith("the kernel refused the probe in a trial load: loading the BPF programs into the"
                + " kernel (program vmafx_selftest): Permission denied (errno 13); the verifier said: R0 invalid mem access"
                + " 'map_value_or_null' (at "), lines.get(1));
        assertTrue(lines.get(1).contains("source: return v->tid;"), lines.get(1));

        // and libbpf's messages, the verifier's log among them, went to System.Logger (here its default backend,
        // java.util.logging, which prints the logging class and method, then the level and the message)
        r = runChild(javaCommand(List.of("-Dvmafx.bypass.selftest=verifier-reject", PREFLIGHT)));
        assertTrue(r.out().matches("(?s).*io\\.vmafx\\.bypass\\.ebpf\\.probe\\.NativeProbe libbpfLog\\R"
                + "WARNING: libbpf: prog 'vmafx_selftest': -- BEGIN PROG LOAD LOG --\\R.*R0 invalid mem access 'map_value_or_null'.*"),
                r.out());
    }
}
