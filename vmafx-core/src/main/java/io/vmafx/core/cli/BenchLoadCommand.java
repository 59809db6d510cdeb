package io.vmafx.core.cli;

import io.vmafx.core.bench.Clips;
import io.vmafx.core.bench.LoadBench;
import io.vmafx.core.config.ConfigException;
import io.vmafx.core.config.Variable;
import io.vmafx.core.discovery.DiscoveryException;
import io.vmafx.core.node.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmafx-node bench load}: jobs through the HTTP API in both rclone modes, overhead per job, then a leak check (see {@link LoadBench}). */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = {"Send jobs through the node's HTTP API (a serve in this process on a loopback port) at --slots slots, "
                + "in http-serve and mount mode, reading a tiny clip pair from an rclone alias remote; some jobs are cancelled "
                + "and some fail on purpose. Prints the node's overhead per job (job time minus scorer time), then checks that "
                + "nothing leaked (processes, mounts, threads, file descriptors, the temporary directory)."})
final class BenchLoadCommand extends NodeCommand {

    @Override
    boolean serves() {
        return true;
    }


    @Option(names = "--jobs", defaultValue = "200", paramLabel = "N", description = "jobs per mode (default ${DEFAULT-VALUE})")
    int jobs;
    @Option(names = "--cancel-every", defaultValue = "25", paramLabel = "N", description = "cancel every N-th job with DELETE (0: none; default ${DEFAULT-VALUE})")
    int cancelEvery;
    @Option(names = "--fail-every", defaultValue = "20", paramLabel = "N", description = "every N-th job reads a missing object (0: none; default ${DEFAULT-VALUE})")
    int failEvery;
    @Option(names = "--clip", defaultValue = "160x90", paramLabel = "WxH", description = "clip size (default ${DEFAULT-VALUE})")
    String clip;
    @Option(names = "--clip-seconds", defaultValue = "1", paramLabel = "S", description = "clip length in seconds (default ${DEFAULT-VALUE})")
    int clipSeconds;

    /** Slots when --slots / VMAFX_NODE_SLOTS is not set: what the figures are measured at. */
    static final int DEFAULT_SLOTS = 4;

    @Override
    int run(Node node) throws Exception {
        LoadBench.Options options;
        try {
            String s = node.config().get(Variable.NODE_SLOTS).map(String::strip).filter(v -> !v.isEmpty()).orElse(null);
            int slots = s == null ? DEFAULT_SLOTS : parseSlots(s);
            if (cancelEvery < 0 || failEvery < 0) {
                throw new IllegalArgumentException("--cancel-every and --fail-every are 0 or more");
            }
            options = new LoadBench.Options(jobs, slots, cancelEvery, failEvery, Clips.Size.parse(clip), clipSeconds);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(Main.EXIT_CONFIG, "bench load: " + e.getMessage());
        }
        LoadBench.Report report;
        try {
            report = new LoadBench(options, System.getenv(), NodeOptions.flags(spec), home(), BenchCommand.progress()).run();
        } catch (ConfigException | DiscoveryException e) {
            throw new CliFailure(Main.EXIT_CONFIG, "bench load: " + e.getMessage());
        }
        System.out.print(report.text());
        if (report.failed()) {
            System.err.println("vmafx-node: bench load: a mode went wrong or something was left behind (see above)");
            return Main.EXIT_JOB_FAILED;
        }
        return 0;
    }

    private static int parseSlots(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--slots (VMAFX_NODE_SLOTS): expected a whole number, got '" + s + "'");
        }
    }
}
