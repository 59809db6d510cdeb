package io.vmafx.core.cli;

import io.vmafx.core.bench.FaultBench;
import io.vmafx.core.bench.FaultReport;
import io.vmafx.core.config.Variable;
import io.vmafx.core.node.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmafx-node bench faults}: jobs through serve processes while faults are injected, every answer checked (see {@link FaultBench}). */
@Command(name = "faults", mixinStandardHelpOptions = true,
        description = {"Send small jobs through the HTTP API of a serve process, in http-serve and mount mode, while faults are "
                + "injected on a schedule: the serving rclone killed, a source truncated, replaced or deleted while it is read, "
                + "the mount's cache file system (a tmpfs this bench mounts; root only) full, slow clients holding half a request "
                + "header. Every job's answer is checked against the true score. Prints jobs by outcome, wrong scores reported as "
                + "success and hung jobs (both must be 0), what the stopped nodes left (must be nothing) and /healthz latency; "
                + "exits 1 when a must-be-0 figure is not 0."})
final class BenchFaultsCommand extends NodeCommand {

    @Option(names = "--jobs", defaultValue = "200", paramLabel = "N", description = "jobs per mode (default ${DEFAULT-VALUE})")
    int jobs;
    @Option(names = "--fault-every", defaultValue = "4", paramLabel = "N", description = "every N-th job meets a fault (default ${DEFAULT-VALUE})")
    int faultEvery;
    @Option(names = "--cancel-every", defaultValue = "15", paramLabel = "N",
            description = "cancel every N-th job without a fault while it runs (0: none; default ${DEFAULT-VALUE})")
    int cancelEvery;
    @Option(names = "--slow-clients", defaultValue = "64", paramLabel = "N",
            description = "connections holding half a request header throughout (default ${DEFAULT-VALUE})")
    int slowClients;
    @Option(names = "--cache-mb", defaultValue = "20", paramLabel = "MB", description = "the mount's cache tmpfs (default ${DEFAULT-VALUE})")
    int cacheMb;

    @Option(names = "--modes", defaultValue = "http-serve,mount", split = ",", paramLabel = "MODE",
            description = "storage modes to run, comma-separated (default ${DEFAULT-VALUE})")
    java.util.List<String> modes;
    @Option(names = "--keep-logs", paramLabel = "DIR", description = "copy each serve process's stdout and stderr into DIR")
    java.nio.file.Path keepLogs;

    @Override
    int run(Node node) throws Exception {
        FaultBench.Options options;
        try {
            // --slots (VMAFX_NODE_SLOTS) is the serve processes' slots, 2 when unset as serve's own default.
            String s = node.config().get(Variable.NODE_SLOTS).map(String::strip).filter(v -> !v.isEmpty()).orElse("2");
            int slots;
            try {
                slots = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--slots (VMAFX_NODE_SLOTS): expected a whole number, got '" + s + "'");
            }
            options = new FaultBench.Options(jobs, slots, faultEvery, cancelEvery, slowClients, cacheMb, modes, keepLogs == null ? null
                    : keepLogs.toAbsolutePath());
        } catch (IllegalArgumentException e) {
            throw new CliFailure(Main.EXIT_CONFIG, "bench faults: " + e.getMessage());
        }
        FaultReport report = new FaultBench(node, options, System.getenv(), BenchCommand.progress()).run();
        System.out.print(report.text());
        if (report.failed()) {
            System.err.println("vmafx-node: bench faults: a wrong score, a hung job or a leftover (see above)");
            return Main.EXIT_JOB_FAILED;
        }
        return 0;
    }
}
