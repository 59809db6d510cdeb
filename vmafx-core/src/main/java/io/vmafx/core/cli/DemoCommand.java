package io.vmafx.core.cli;

import io.vmafx.core.bench.Clips;
import io.vmafx.core.bench.ScratchRemote;
import io.vmafx.core.bench.TextTable;
import io.vmafx.core.bench.TextTable.Align;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.Variable;
import io.vmafx.core.job.JobException;
import io.vmafx.core.job.JobRequest;
import io.vmafx.core.job.JobResult;
import io.vmafx.core.node.Node;
import io.vmafx.core.score.TerminalProgress;
import io.vmafx.spi.Availability;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vmafx-node demo}: the main job on an embedded default. Makes a short reference clip and a degraded
 * copy in a private temporary directory, scores the pair through local storage, then the same pair
 * through each rclone storage mode (http-serve, and mount where FUSE is usable) from an rclone remote on that
 * directory, and prints the timings of each mode beside local's; the VMAF means must agree. The directory,
 * every rclone process and every mount are gone on every way out.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Make a short reference clip and a degraded copy, score them through local storage and through "
                + "each rclone storage mode (http-serve, and mount where FUSE is usable), print the result and the timings per mode.",
                "Uses a private temporary directory with an rclone alias remote on it, and removes it."})
final class DemoCommand extends NodeCommand {

    static final List<String> RCLONE_MODES = List.of("http-serve", "mount");
    /** Means from the same bytes must be the same; this only absorbs printing and summing differences. */
    static final double MEAN_TOLERANCE = 1e-9;

    @Option(names = "--seconds", defaultValue = "4", description = "clip length in seconds (default ${DEFAULT-VALUE})")
    int seconds;
    @Option(names = "--size", defaultValue = "640x360", description = "clip size WxH (default ${DEFAULT-VALUE})")
    String size;

    /** How one mode did: its result, or why it was skipped or failed. */
    record ModeRun(String mode, JobResult result, String skipped, String failed) {
    }

    @Override
    int run(Node node) throws Exception {
        Clips.Size clip;
        try {
            clip = Clips.Size.parse(size);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(Main.EXIT_CONFIG, "demo: --size: " + e.getMessage());
        }
        if (seconds < 1 || seconds > 600) {
            throw new CliFailure(Main.EXIT_CONFIG, "demo: --seconds must be from 1 to 600");
        }
        ScratchRemote scratch = ScratchRemote.create("demo");
        try {
            return demo(node, scratch, clip);
        } finally {
            scratch.close();
            if (!scratch.cleanup().clean()) {
                System.err.println("vmafx-node: demo: " + scratch.cleanup().describe());
            }
        }
    }

    private int demo(Node node, ScratchRemote scratch, Clips.Size clip) throws Exception {
        Path reference = scratch.data().resolve("reference.y4m");
        Path degraded = scratch.data().resolve("degraded.y4m");
        System.out.printf(Locale.ROOT, "demo: making a %ss %s reference clip and a degraded copy in %s%n", seconds, clip, scratch.data());
        try {
            // Down-scaled to a quarter and back, plus noise: a clearly visible loss.
            Clips.make(reference, degraded, clip, seconds);
        } catch (IOException e) {
            throw new CliFailure(Main.EXIT_JOB_FAILED, "demo: " + e.getMessage());
        }

        List<ModeRun> runs = new ArrayList<>();
        System.out.println("demo: scoring through local storage");
        JobResult local = node.executor().run(JobRequest.of(reference.toString(), degraded.toString()),
                TerminalProgress.forConsole());
        System.out.println(Reports.text(local));
        runs.add(new ModeRun("local", local, null, null));

        Map<Variable, String> flags = NodeOptions.flags(spec);
        for (String mode : RCLONE_MODES) {
            NodeConfig config = scratch.config(System.getenv(), flags, home(), Map.of(Variable.STORAGE_MODE, mode));
            try (Node rcloneNode = Node.start(config, System.getenv())) {
                Availability a = rcloneNode.registry().storage(mode).isPresent()
                        ? rcloneNode.router().availability(mode)
                        : Availability.unusable("the " + mode + " storage module is not installed in this node");
                if (!a.usable()) {
                    System.out.println("demo: " + mode + " skipped: " + a.reason());
                    runs.add(new ModeRun(mode, null, a.reason(), null));
                    continue;
                }
                System.out.println("demo: scoring the same pair through " + mode + " (rclone remote "
                        + scratch.remote() + ": on " + scratch.data() + ")");
                try {
                    JobResult r = rcloneNode.executor().run(
                            JobRequest.of(scratch.uri(reference.getFileName().toString()), scratch.uri(degraded.getFileName().toString())),
                            TerminalProgress.forConsole());
                    runs.add(new ModeRun(mode, r, null, null));
                } catch (JobException e) {
                    runs.add(new ModeRun(mode, null, null, e.getMessage()));
                }
            }
        }
        System.out.println("demo: the same pair through each storage mode:");
        System.out.print(table(runs));
        return verdict(runs);
    }

    /** The timings of every mode side by side. */
    static String table(List<ModeRun> runs) {
        TextTable t = new TextTable(List.of("mode", "prepare ms", "score ms", "total ms", "VMAF mean", "read as"),
                List.of(Align.LEFT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.RIGHT, Align.LEFT));
        for (ModeRun r : runs) {
            if (r.result() != null) {
                JobResult j = r.result();
                t.row(r.mode(), Long.toString(j.prepareMillis()), Long.toString(j.scoreMillis()), Long.toString(j.totalMillis()),
                        String.format(Locale.ROOT, "%.3f", j.scores().mean()), j.reference().location());
            } else {
                t.row(r.mode(), "-", "-", "-", "-", r.skipped() != null ? "skipped: " + r.skipped() : "failed: " + r.failed());
            }
        }
        return t.render();
    }

    /** 0 when every mode that ran agrees with local and none failed; else the problem on stderr and 1. */
    static int verdict(List<ModeRun> runs) {
        double mean = runs.get(0).result().scores().mean();
        List<String> problems = new ArrayList<>();
        List<String> agreeing = new ArrayList<>();
        for (ModeRun r : runs) {
            if (r.failed() != null) {
                problems.add(r.mode() + " failed: " + r.failed());
            } else if (r.result() != null) {
                double m = r.result().scores().mean();
                if (Math.abs(m - mean) > MEAN_TOLERANCE) {
                    problems.add(String.format(Locale.ROOT, "the VMAF mean through %s is %.6f, through local %.6f", r.mode(), m, mean));
                } else {
                    agreeing.add(r.mode());
                }
            }
        }
        if (!problems.isEmpty()) {
            System.err.println("vmafx-node: demo: " + String.join("; ", problems));
            return Main.EXIT_JOB_FAILED;
        }
        System.out.printf(Locale.ROOT, "demo: the VMAF means agree through %s (%.6f)%n", String.join(", ", agreeing), mean);
        return 0;
    }
}
