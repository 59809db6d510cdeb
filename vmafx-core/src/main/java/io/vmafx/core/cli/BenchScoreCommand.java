package io.vmafx.core.cli;

import io.vmafx.core.bench.ScoreBench;
import io.vmafx.core.node.Node;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmafx-node bench score}: the node's scoring against the bare ffprobe/libvmaf command (see {@link ScoreBench}). */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Measure scoring: the same 360p, 720p and 1080p pairs scored by the node and by the bare"
                + " ffprobe/libvmaf command, in one run: fps of each and the ratio (target: node within 1.05x at 1080p).",
                "Works in a private temporary directory and removes it."})
final class BenchScoreCommand extends NodeCommand {

    @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "timed runs per scorer and size (default ${DEFAULT-VALUE})")
    int runs;
    @Option(names = "--seconds", defaultValue = "2", paramLabel = "S", description = "clip length at 25 fps (default ${DEFAULT-VALUE})")
    int seconds;
    @Option(names = "--json", description = "print one JSON object instead of the table")
    boolean json;

    @Override
    int run(Node node) throws Exception {
        ScoreBench.Options options;
        try {
            options = new ScoreBench.Options(runs, seconds);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(Main.EXIT_CONFIG, "bench score: " + e.getMessage());
        }
        List<ScoreBench.Row> rows = new ScoreBench(node, options, BenchCommand.progress()).run();
        System.out.print(json ? Json.write(ScoreBench.json(rows)) + System.lineSeparator()
                : ScoreBench.text(rows, options, node.config().scoreThreads()));
        return 0;
    }
}
