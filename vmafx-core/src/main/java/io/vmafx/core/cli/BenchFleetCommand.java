package io.vmafx.core.cli;

import io.vmafx.core.bench.Clips;
import io.vmafx.core.bench.FleetBench;
import io.vmafx.core.config.ConfigException;
import io.vmafx.core.config.Variable;
import io.vmafx.core.discovery.DiscoveryException;
import io.vmafx.core.node.Node;
import io.vmafx.spi.jobstore.JobStoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmafx-node bench fleet}: one in-memory node against three nodes on PostgreSQL (see {@link FleetBench}). */
@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = {"One node on the in-memory job store against three nodes on the PostgreSQL store VMAFX_JOB_STORE names "
                + "(use a scratch database; scripts/bench-fleet.sh starts a throwaway one), all in this process: tiny jobs one "
                + "at a time (claim latency), tiny and real jobs all at once (jobs/s), the store's time per job, and jobs lost "
                + "or run twice (must be 0)."})
final class BenchFleetCommand extends NodeCommand {

    /** It starts serving nodes and takes their flags. */
    @Override
    boolean serves() {
        return true;
    }


    @Option(names = "--tiny-jobs", defaultValue = "300", paramLabel = "N", description = "tiny jobs all at once (default ${DEFAULT-VALUE})")
    int tinyJobs;
    @Option(names = "--real-jobs", defaultValue = "24", paramLabel = "N", description = "real jobs all at once (default ${DEFAULT-VALUE})")
    int realJobs;
    @Option(names = "--latency-jobs", defaultValue = "50", paramLabel = "N", description = "tiny jobs one at a time (default ${DEFAULT-VALUE})")
    int latencyJobs;
    @Option(names = "--tiny", defaultValue = "32x18", paramLabel = "WxH", description = "tiny clip size (default ${DEFAULT-VALUE})")
    String tiny;
    @Option(names = "--real", defaultValue = "320x180", paramLabel = "WxH", description = "real clip size (default ${DEFAULT-VALUE})")
    String real;
    @Option(names = "--markdown", description = "print the table as Markdown too")
    boolean markdown;
    @Option(names = "--real-seconds", defaultValue = "2", paramLabel = "S", description = "real clip length (default ${DEFAULT-VALUE})")
    int realSeconds;

    @Override
    int run(Node node) throws Exception {
        FleetBench.Options options;
        try {
            String s = node.config().get(Variable.NODE_SLOTS).map(String::strip).filter(v -> !v.isEmpty()).orElse("2");
            int slots;
            try {
                slots = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--slots (VMAFX_NODE_SLOTS): expected a whole number, got '" + s + "'");
            }
            if (realSeconds < 1 || realSeconds > 60) {
                throw new IllegalArgumentException("--real-seconds must be from 1 to 60");
            }
            options = new FleetBench.Options(tinyJobs, realJobs, latencyJobs, slots, Clips.Size.parse(tiny), Clips.Size.parse(real), realSeconds);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(Main.EXIT_CONFIG, "bench fleet: " + e.getMessage());
        }
        FleetBench.Report report;
        try {
            report = new FleetBench(options, System.getenv(), NodeOptions.flags(spec), home(), BenchCommand.progress()).run();
        } catch (ConfigException | DiscoveryException e) {
            throw new CliFailure(Main.EXIT_CONFIG, "bench fleet: " + e.getMessage());
        } catch (JobStoreException e) {
            throw new CliFailure(Main.EXIT_JOB_FAILED, "bench fleet: the job store cannot be opened: " + e.getMessage());
        }
        System.out.print(report.text());
        if (markdown) {
            System.out.print("\n" + report.markdown());
        }
        if (report.failed()) {
            System.err.println("vmafx-node: bench fleet: a job was lost or ran twice (see above)");
            return Main.EXIT_JOB_FAILED;
        }
        return 0;
    }
}
