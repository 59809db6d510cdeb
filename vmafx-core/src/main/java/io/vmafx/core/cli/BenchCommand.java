package io.vmafx.core.cli;

import io.vmafx.core.bench.BenchProgress;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vmafx-node bench}: the node's benchmarks, {@code bench storage} and {@code bench bypass}. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks of this node on this machine.",
        subcommands = {BenchStorageCommand.class, BenchBypassCommand.class, BenchLoadCommand.class, BenchScoreCommand.class,
                BenchFaultsCommand.class, BenchFleetCommand.class, CommandLine.HelpCommand.class})
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        System.err.println("vmafx-node bench: which benchmark? (storage, bypass, load, score, faults)");
        spec.commandLine().usage(System.err);
        return Main.EXIT_CONFIG;
    }

    /** Progress lines on stderr when it is a terminal; piped output stays quiet, like score's. */
    static BenchProgress progress() {
        return System.console() != null ? line -> System.err.println("bench: " + line) : BenchProgress.NONE;
    }
}
