package io.vmafx.core.cli;

import io.vmafx.core.bench.BypassBench;
import io.vmafx.core.bench.BypassReport;
import io.vmafx.core.bench.Clips;
import io.vmafx.core.config.ConfigException;
import io.vmafx.core.discovery.DiscoveryException;
import io.vmafx.core.node.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vmafx-node bench bypass}: the eBPF FUSE bypass against FUSE and a direct read, the probe's overhead on
 * FUSE reads, and what the bypass does to scoring a pair (see {@link BypassBench}).
 */
@Command(name = "bypass", mixinStandardHelpOptions = true,
        description = {"Measure the eBPF FUSE bypass on this machine: (a) warm whole-file read latency through the mount, "
                + "through the bypass and directly; (b) the probe's overhead on FUSE reads, attached against detached; "
                + "(c) scoring a pair through the mount with and without the bypass, against local.",
                "Works in a private temporary directory (a random asset, an rclone alias remote on it, its own mount roots "
                        + "and VFS caches) and removes it, with every rclone process, mount and link, on every way out. "
                        + "A part whose provider is not usable here is skipped with the reason."})
final class BenchBypassCommand extends NodeCommand {

    @Option(names = "--size-mib", defaultValue = "100", paramLabel = "MiB", description = "asset size in MiB for (a) and (b) (default ${DEFAULT-VALUE})")
    int sizeMib;
    @Option(names = "--runs", defaultValue = "20", paramLabel = "N", description = "(a): timed reads per path (default ${DEFAULT-VALUE})")
    int runs;
    @Option(names = "--overhead-runs", defaultValue = "10", paramLabel = "N", description = "(b): timed reads attached and detached each (default ${DEFAULT-VALUE})")
    int overheadRuns;
    @Option(names = "--score-runs", defaultValue = "3", paramLabel = "N", description = "(c): timed jobs per mode (default ${DEFAULT-VALUE})")
    int scoreRuns;
    @Option(names = "--clip", defaultValue = "1280x720", paramLabel = "WxH", description = "(c): clip size (default ${DEFAULT-VALUE})")
    String clip;
    @Option(names = "--clip-seconds", defaultValue = "5", paramLabel = "S", description = "(c): clip length at 25 fps (default ${DEFAULT-VALUE})")
    int clipSeconds;
    @Option(names = "--json", description = "print one JSON object instead of the tables")
    boolean json;

    @Override
    int run(Node node) throws Exception {
        BypassBench.Options options;
        try {
            options = new BypassBench.Options(sizeMib, runs, overheadRuns, scoreRuns, Clips.Size.parse(clip), clipSeconds);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(Main.EXIT_CONFIG, "bench bypass: " + e.getMessage());
        }
        // A probe this command's own node started (VMAFX_EBPF_BYPASS=1 in the environment) would be attached through
        // every "detached" run: the bench starts and stops its own.
        node.bypass().ifPresent(b -> {
            b.close();
            BenchCommand.progress().step("closed the command's own bypass (VMAFX_EBPF_BYPASS=1): the bench attaches its own probe");
        });
        BypassReport report;
        BypassBench bench = new BypassBench(options, System.getenv(), NodeOptions.flags(spec), home(), BenchCommand.progress());
        try {
            report = bench.run();
        } catch (Exception e) {
            // No report (an interrupt, no space, a bad setting): the cleanup line still says what is left, if anything.
            bench.cleanup().ifPresent(c -> System.err.println("vmafx-node: bench bypass: " + c.describe()));
            if (e instanceof ConfigException || e instanceof DiscoveryException) {
                throw new CliFailure(Main.EXIT_CONFIG, "bench bypass: " + e.getMessage());
            }
            throw e;
        }
        System.out.print(json ? Json.write(report.toJson()) + System.lineSeparator() : report.text());
        if (!report.cleanup().clean()) {
            System.err.println("vmafx-node: bench bypass: " + report.cleanup().describe());
        }
        return report.failed() ? Main.EXIT_JOB_FAILED : 0;
    }
}
