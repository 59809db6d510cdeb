package io.vmafx.core.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vmafx-node bench}: the node's benchmarks; {@code bench storage} is the one there is. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks of this node on this machine.",
        subcommands = {BenchStorageCommand.class, CommandLine.HelpCommand.class})
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        System.err.println("vmafx-node bench: which benchmark? (storage)");
        spec.commandLine().usage(System.err);
        return Main.EXIT_CONFIG;
    }
}
