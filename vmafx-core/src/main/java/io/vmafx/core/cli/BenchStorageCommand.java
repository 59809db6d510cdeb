package io.vmafx.core.cli;

import io.vmafx.core.bench.BenchProgress;
import io.vmafx.core.bench.BenchReport;
import io.vmafx.core.bench.StorageBench;
import io.vmafx.core.config.ConfigException;
import io.vmafx.core.discovery.DiscoveryException;
import io.vmafx.core.node.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vmafx-node bench storage}: cold and pooled prepare latency of http-serve and mount, and the read
 * time of a whole asset through each against reading it directly, on this machine (see {@link StorageBench}).
 */
@Command(name = "storage", mixinStandardHelpOptions = true,
        description = {"Measure the rclone storage modes on this machine: cold and pooled prepare latency of http-serve "
                + "and mount, and reading a whole asset through each against reading it directly.",
                "Works in a private temporary directory (a random asset, an rclone alias remote on it) and removes it, "
                        + "with every rclone process and mount, on every way out, Ctrl-C included."})
final class BenchStorageCommand extends NodeCommand {

    @Option(names = "--size-mib", defaultValue = "100", paramLabel = "MiB", description = "asset size in MiB (default ${DEFAULT-VALUE})")
    int sizeMib;
    @Option(names = "--runs", defaultValue = "20", paramLabel = "N", description = "timed prepares per mode, cold and pooled each (default ${DEFAULT-VALUE})")
    int runs;
    @Option(names = "--read-runs", defaultValue = "5", paramLabel = "N", description = "timed whole-asset reads per path (default ${DEFAULT-VALUE})")
    int readRuns;
    @Option(names = "--json", description = "print one JSON object instead of the table")
    boolean json;

    @Override
    int run(Node node) throws Exception {
        StorageBench.Options options;
        try {
            options = new StorageBench.Options(sizeMib, runs, readRuns);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(Main.EXIT_CONFIG, "bench storage: " + e.getMessage());
        }
        BenchProgress progress = BenchCommand.progress();
        BenchReport report;
        try {
            report = new StorageBench(options, System.getenv(), NodeOptions.flags(spec), home(), progress).run();
        } catch (ConfigException | DiscoveryException e) {
            throw new CliFailure(Main.EXIT_CONFIG, "bench storage: " + e.getMessage());
        }
        System.out.print(json ? Json.write(report.toJson()) + System.lineSeparator() : report.text());
        if (!report.cleanup().clean()) {
            System.err.println("vmafx-node: bench storage: " + report.cleanup().describe());
        }
        return report.failed() ? Main.EXIT_JOB_FAILED : 0;
    }
}
