package io.vmafx.core.cli;

import io.vmafx.core.job.JobRequest;
import io.vmafx.core.job.JobResult;
import io.vmafx.core.node.Node;
import io.vmafx.core.score.TerminalProgress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vmafx-node demo}: the main job on an embedded default. Makes a short reference clip and a degraded
 * copy with ffmpeg in a private temporary directory, scores the pair and prints the result; the directory is
 * removed on every way out.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Make a short reference clip and a degraded copy, score them, print the result.")
final class DemoCommand extends NodeCommand {

    @Option(names = "--seconds", defaultValue = "4", description = "clip length in seconds (default ${DEFAULT-VALUE})")
    int seconds;
    @Option(names = "--size", defaultValue = "640x360", description = "clip size WxH (default ${DEFAULT-VALUE})")
    String size;

    @Override
    int run(Node node) throws Exception {
        if (!size.matches("\\d+x\\d+") || seconds < 1 || seconds > 600) {
            throw new CliFailure(Main.EXIT_CONFIG, "demo: --size must be WxH and --seconds from 1 to 600");
        }
        Path dir = Files.createTempDirectory("vmafx-demo-");
        try {
            Path reference = dir.resolve("reference.y4m");
            Path degraded = dir.resolve("degraded.y4m");
            String[] wh = size.split("x");
            System.out.printf(Locale.ROOT, "demo: making a %ss %s reference clip and a degraded copy in %s%n", seconds, size, dir);
            ffmpeg(node.config().ffmpeg(), "-f", "lavfi", "-i",
                    "testsrc2=size=" + size + ":rate=25:duration=" + seconds, "-pix_fmt", "yuv420p", reference.toString());
            // Down-scale to a quarter and back, plus noise: a clearly visible loss.
            int w = Integer.parseInt(wh[0]) / 4 / 2 * 2;
            int h = Integer.parseInt(wh[1]) / 4 / 2 * 2;
            ffmpeg(node.config().ffmpeg(), "-i", reference.toString(), "-vf",
                    "scale=" + w + ":" + h + ",scale=" + size.replace('x', ':') + ",noise=alls=12:allf=t",
                    "-pix_fmt", "yuv420p", degraded.toString());
            System.out.println("demo: scoring through local storage");
            JobResult result = node.executor().run(JobRequest.of(reference.toString(), degraded.toString()),
                    TerminalProgress.forConsole());
            System.out.println(Reports.text(result));
            return 0;
        } finally {
            deleteTree(dir);
        }
    }

    private static void ffmpeg(String ffmpeg, String... args) throws IOException, InterruptedException, CliFailure {
        List<String> cmd = new ArrayList<>(List.of(ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new CliFailure(Main.EXIT_JOB_FAILED, "demo: cannot run ffmpeg at " + ffmpeg
                    + " (set VMAFX_FFMPEG; scripts/setup.sh installs one): " + e.getMessage());
        }
        try {
            String err = new String(p.getErrorStream().readAllBytes()).trim();
            if (p.waitFor() != 0) {
                throw new CliFailure(Main.EXIT_JOB_FAILED, "demo: ffmpeg failed making a clip: " + err.lines().reduce((a, b) -> b).orElse(""));
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
