package io.vmafx.core.score;

import static io.vmafx.core.score.ScoreTools.SRC01;
import static io.vmafx.core.score.ScoreTools.assertNothingLeft;
import static io.vmafx.core.score.ScoreTools.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A URL's {@code user:password@} reaches the server as an {@code Authorization} header and nowhere a process
 * listing shows: while ffprobe waits for each answer, the loopback server reads {@code /proc/PID/cmdline} and
 * {@code /proc/PID/environ} of every process this JVM started; the graph holding the URL is in a private (0700)
 * directory that is gone afterwards, and no message repeats the password.
 */
class UrlCredentialsTest {

    static final String USER = "alice";
    static final String PASSWORD = "s3cret-Pa55";

    @TempDir
    static Path clips;

    static byte[] y4m;
    static List<Double> plain;

    @TempDir
    Path tmp;

    @BeforeAll
    static void clip(@TempDir Path scratch) throws Exception {
        Path file = ScoreTools.encode(ScoreTools.src01Distorted(), SRC01, clips.resolve("dis.y4m"), "-pix_fmt",
                "yuv420p10le", "-strict", "-1");
        y4m = Files.readAllBytes(file);
        plain = ScoreTools.scorer(scratch).score(ScoreTools.againstSrc01Reference(file.toString(), null)).frames();
    }

    private static List<String> environments() {
        List<String> envs = new CopyOnWriteArrayList<>();
        ProcessHandle.current().descendants().forEach(p -> {
            try {
                envs.add(new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ")),
                        StandardCharsets.UTF_8));
            } catch (IOException e) {
                // It exited meanwhile.
            }
        });
        return envs;
    }

    @Test
    void passwordGoesAsAHeaderAndAppearsOnNoCommandLine() throws Exception {
        List<String> commandLines = new CopyOnWriteArrayList<>();
        List<String> environments = new CopyOnWriteArrayList<>();
        List<String> privateDirs = new CopyOnWriteArrayList<>();
        try (LoopbackHttpServer http = LoopbackHttpServer.start()) {
            http.requireBasicAuth(USER, PASSWORD).serve("/clips/dis.y4m", y4m).onRequest(r -> {
                commandLines.addAll(ScoreTools.descendantCommandLines());
                environments.addAll(environments());
                try (Stream<Path> dirs = Files.list(tmp)) {
                    for (Path d : dirs.toList()) {
                        privateDirs.add(d.getFileName() + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(d)));
                    }
                } catch (IOException e) {
                    privateDirs.add("unreadable: " + e);
                }
            });
            String url = http.url(USER + ":" + PASSWORD, "/clips/dis.y4m");
            VmafScores s = ScoreTools.scorer(tmp).score(ScoreTools.againstSrc01Reference(url, null));
            assertEquals(plain, s.frames(), "scored through the authenticated URL");

            String basic = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            assertTrue(http.requests().stream().anyMatch(r -> basic.equals(r.headers().get("authorization"))),
                    "the credentials reached the server as a header");
            for (LoopbackHttpServer.Request r : http.requests()) {
                assertFalse(r.target().contains(PASSWORD), r.target());
            }
        }
        assertTrue(commandLines.stream().anyMatch(c -> c.contains("ffprobe") && c.contains("-graph_file")),
                () -> "ffprobe was seen while it waited for the server: " + commandLines);
        for (String c : commandLines) {
            assertFalse(c.contains(PASSWORD), c);
        }
        assertFalse(environments.isEmpty());
        for (String env : environments) {
            assertFalse(env.contains(PASSWORD), "a child's environment holds the password");
        }
        assertFalse(privateDirs.isEmpty());
        for (String d : privateDirs) {
            assertTrue(d.startsWith("vmafx-score-") && d.endsWith(" rwx------"), d);
        }
        assertNothingLeft(tmp);
    }

    @Test
    void refusedCredentialsFailWithoutRepeatingThem() throws Exception {
        try (LoopbackHttpServer http = LoopbackHttpServer.start()) {
            http.requireBasicAuth(USER, PASSWORD).serve("/clips/dis.y4m", y4m);
            String url = http.url(USER + ":hunter2-wrong", "/clips/dis.y4m");
            ScoringException e = assertThrows(ScoringException.class, () -> ScoreTools.scorer(tmp).score(
                    new ScoreRequest(url, ScoreTools.src01Reference().toString(), null, SRC01, ScoreOptions.DEFAULTS,
                            ProgressListener.NONE)));
            assertEquals("cannot open: Server returned 401 Unauthorized (authorization failed)", e.getMessage());
            assertEquals(Optional.of(InputSide.REFERENCE), e.side());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
            assertOneLine(e);
        }
        assertNothingLeft(tmp);
    }
}
