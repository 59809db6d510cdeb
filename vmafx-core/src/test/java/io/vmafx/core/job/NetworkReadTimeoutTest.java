package io.vmafx.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.spi.NodeSettings;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ffmpeg options that bound a network read, checked with the real ffmpeg against a loopback server that accepts
 * connections and never answers: with them ffmpeg gives up after the timeout, with exit 1 and "Connection timed out".
 */
class NetworkReadTimeoutTest {

    private static NodeSettings settings(Map<String, String> values) {
        return v -> Optional.ofNullable(values.get(v));
    }

    @Test
    void optionsForHttpUrlsOnlyInMicrosecondsWithAMarginForLoopbackServers() {
        NodeSettings defaults = settings(Map.of());
        assertEquals(List.of("-rw_timeout", "30000000"), NetworkReadTimeout.ffmpegInputOptions(defaults, "https://cdn.example.com/a.mp4"));
        assertEquals(List.of("-rw_timeout", "35000000"),
                NetworkReadTimeout.ffmpegInputOptions(defaults, "http://vmafx-1:secret@127.0.0.1:40111/dir/a%20b.y4m"),
                "an http-serve URL: rclone's own timeout answers first");
        assertEquals(List.of(), NetworkReadTimeout.ffmpegInputOptions(defaults, "/run/vmafx/mounts/x/a.y4m"));
        assertEquals(List.of(), NetworkReadTimeout.ffmpegInputOptions(defaults, "relative/a.y4m"));
        assertEquals(2_500_000, NetworkReadTimeout.rwTimeoutMicros(settings(Map.of("VMAFX_READ_TIMEOUT", "2500ms")), "HTTP://h/x"));
    }

    @Test
    void ffmpegGivesUpOnASilentServerAfterTheTimeout() throws Exception {
        Path ffmpeg = ffmpeg();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // accepted and never answered
                    }
                } catch (Exception e) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/clip.y4m";
            List<String> options = NetworkReadTimeout.ffmpegInputOptions(settings(Map.of("VMAFX_READ_TIMEOUT", "1s")), url);
            assertEquals(List.of("-rw_timeout", "6000000"), options, "1 s plus the loopback margin");
            List<String> command = new ArrayList<>(List.of(ffmpeg.toString(), "-hide_banner", "-nostdin", "-loglevel", "error"));
            command.addAll(options);
            command.addAll(List.of("-i", url, "-f", "null", "-"));
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            long t0 = System.nanoTime();
            boolean ended = p.waitFor(20, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            String out = new String(p.getInputStream().readAllBytes());
            if (!ended) {
                p.destroyForcibly();
            }
            assertTrue(ended, "ffmpeg still waits after 20 s");
            System.out.println("ffmpeg " + String.join(" ", options) + " against a silent server: exit " + p.exitValue() + " after " + ms + " ms: " + out.strip());
            assertEquals(1, p.exitValue(), out);
            assertTrue(out.contains("Connection timed out"), out);
            assertTrue(ms >= 5_500 && ms < 15_000, "about the timeout: " + ms + " ms");
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    private static Path ffmpeg() {
        String env = System.getenv("VMAFX_FFMPEG");
        Path root = Path.of(System.getProperty("vmafx.root", ".")).toAbsolutePath().normalize();
        Path path = env != null && !env.isBlank() ? Path.of(env) : root.resolve(".tools/ffmpeg/ffmpeg");
        if (!Files.isExecutable(path)) {
            throw new AssertionError("no ffmpeg at " + path + ": run scripts/setup.sh (it installs one there), or set VMAFX_FFMPEG");
        }
        return path;
    }
}
