package io.vmafx.rclone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChildProcessTest {

    @AfterEach
    void noChildLeft() throws InterruptedException {
        long end = System.nanoTime() + 2_000_000_000L;
        while (ProcessHandle.current().descendants().anyMatch(ProcessHandle::isAlive)) {
            assertTrue(System.nanoTime() < end, "child processes left");
            Thread.sleep(10);
        }
    }

    private static ChildProcess sh(String script) throws IOException {
        return ChildProcess.start("test", List.of("/bin/sh", "-c", script), Map.of("SECRET_VALUE", "s3cr3t"));
    }

    @Test
    void keepsTheTailOfStderrWithoutTimestamps() throws Exception {
        ChildProcess p = sh("for i in $(seq 1 30); do echo \"2026/01/01 10:00:0$((i % 10)) line $i\" >&2; done; exit 4");
        assertTrue(p.awaitExit(Duration.ofSeconds(5)));
        assertEquals(Optional.of(4), p.exitCode());
        String tail = p.stderrTail();
        assertTrue(tail.startsWith("line 11 | line 12"), tail);
        assertTrue(tail.endsWith("line 29 | line 30"), tail);
    }

    @Test
    void stderrSinceAMarkHasOnlyTheNewLines() throws Exception {
        ChildProcess p = sh("echo one >&2; read x < /dev/null; sleep 0.2; echo two >&2; sleep 5");
        Thread.sleep(100);
        long mark = p.stderrMark();
        assertEquals(1, mark);
        Thread.sleep(300);
        assertEquals("two", p.stderrSince(mark));
        p.stop(Duration.ofSeconds(1));
    }

    @Test
    void drainsLargeOutputSoTheChildNeverBlocks() throws Exception {
        ChildProcess p = sh("head -c 4000000 /dev/zero | tr '\\0' 'x' | fold -w 100; head -c 1000000 /dev/zero | tr '\\0' 'y' | fold -w 100 >&2");
        assertTrue(p.awaitExit(Duration.ofSeconds(10)), "blocked on a full pipe");
    }

    @Test
    void secretsInTheEnvironmentReachTheChildButNotItsCommandLine() throws Exception {
        ChildProcess p = sh("echo \"$SECRET_VALUE\" >&2");
        p.awaitExit(Duration.ofSeconds(5));
        assertEquals("s3cr3t", p.stderrTail());
    }

    @Test
    void stopKillsAProcessThatIgnoresSigtermAfterTheGrace() throws Exception {
        ChildProcess p = sh("trap '' TERM; while true; do sleep 0.05; done");
        Thread.sleep(100);
        long t0 = System.nanoTime();
        Thread.currentThread().interrupt(); // stop goes on regardless, and keeps the interrupt
        p.stop(Duration.ofMillis(300));
        assertTrue(Thread.interrupted());
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertFalse(p.isAlive());
        assertTrue(millis >= 250 && millis < 3_000, millis + " ms");
        p.stop(Duration.ofMillis(300)); // idempotent
    }

    @Test
    void capturesStdoutWholeWhenAskedTo() throws Exception {
        String longLine = "x".repeat(1000);
        ChildProcess p = ChildProcess.startCapturing("test", List.of("/bin/sh", "-c",
                "echo '{'; echo '  \"Path\": \"" + longLine + "\"'; echo '}'; echo chatter >&2"), Map.of(), 64 * 1024);
        assertTrue(p.awaitExit(Duration.ofSeconds(5)));
        assertEquals("{\n  \"Path\": \"" + longLine + "\"\n}\n", p.stdout(), "lines are kept uncut");
        assertEquals("chatter", p.stderrTail());

        ChildProcess limited = ChildProcess.startCapturing("test", List.of("/bin/sh", "-c", "echo 0123456789; echo more"), Map.of(), 5);
        assertTrue(limited.awaitExit(Duration.ofSeconds(5)));
        assertEquals("01234", limited.stdout());

        ChildProcess plain = sh("echo not-kept");
        assertTrue(plain.awaitExit(Duration.ofSeconds(5)));
        assertEquals("", plain.stdout(), "a process started without capturing keeps no output");
    }

    @Test
    void signalIsDeliveredWithKill() throws Exception {
        ChildProcess p = sh("trap 'echo got-hup >&2' HUP; echo ready >&2; while true; do sleep 0.02; done");
        long end = System.nanoTime() + 5_000_000_000L;
        while (!p.stderrTail().contains("ready")) {
            assertTrue(System.nanoTime() < end, "the script did not start");
            Thread.sleep(10);
        }
        assertTrue(p.signal("HUP"));
        while (!p.stderrTail().contains("got-hup")) {
            assertTrue(System.nanoTime() < end, "SIGHUP did not arrive: " + p.stderrTail());
            Thread.sleep(10);
        }
        assertTrue(p.isAlive(), "the trap kept it running");
        p.stop(Duration.ofSeconds(1));
        assertFalse(p.signal("HUP"), "an exited process gets no signal");
        assertThrows(IllegalArgumentException.class, () -> p.signal("HUP; rm -rf /"));
    }

    @Test
    void aMissingExecutableIsAnIOException() {
        assertThrows(IOException.class, () -> ChildProcess.start("test", List.of("/nonexistent/tool"), Map.of()));
    }

    /**
     * The kernel's parent-death signal follows the thread that forked: a child started from a short-lived thread (a
     * pooled prepare thread that ends after a minute idle) must not die with that thread.
     */
    @Test
    void aChildOutlivesTheThreadThatStartedIt() throws Exception {
        ChildProcess[] started = new ChildProcess[1];
        Thread t = new Thread(() -> {
            try {
                started[0] = ChildProcess.start("test", List.of("sleep", "30"), Map.of());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        t.start();
        t.join();
        ChildProcess p = started[0];
        try {
            Thread.sleep(300);
            assertTrue(p.isAlive(), "the child died with the thread that asked for it");
        } finally {
            p.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void aChildCarriesTheNodeProcessMarkAndRunsUnderThePdeathsigWrapper() throws Exception {
        ChildProcess p = ChildProcess.start("test", List.of("sleep", "30"), Map.of());
        try {
            String environ = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc", Long.toString(p.pid()), "environ")),
                    java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(List.of(environ.split("\0")).contains(io.vmafx.spi.NodeProcess.ENVIRONMENT + "=" + io.vmafx.spi.NodeProcess.current().id()),
                    environ);
            // setpriv execs the command: the pid is the command's, with its own command line.
            long end = System.nanoTime() + 5_000_000_000L;
            String cmdline = "";
            while (System.nanoTime() < end && !(cmdline = new String(java.nio.file.Files.readAllBytes(
                    java.nio.file.Path.of("/proc", Long.toString(p.pid()), "cmdline")))).startsWith("sleep")) {
                Thread.sleep(10);
            }
            assertEquals("sleep\u000030\u0000", cmdline);
            assertTrue(Spawner.diesWithParent(), "setpriv with --pdeathsig is on this machine (util-linux, scripts/setup.sh)");
        } finally {
            p.stop(Duration.ofSeconds(1));
        }
    }
}
