package io.vmafx.core.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vmafx-node}: the node's command line. */
@Command(name = "vmafx-node", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Scores reference/distorted video pairs with VMAF, reading inputs from local disk or any rclone remote.",
        subcommands = {ScoreCommand.class, BatchCommand.class, ServeCommand.class, ProvidersCommand.class, DemoCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Exit code of a failed job (bad input, storage or scorer failure). */
    static final int EXIT_JOB_FAILED = 1;
    /** Exit code of a bad setting or command line. */
    static final int EXIT_CONFIG = 2;
    /** Exit code when interrupted (SIGINT/SIGTERM): 128 + SIGINT. */
    static final int EXIT_INTERRUPTED = 130;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        Logging.configure();
        CommandLine cli = new CommandLine(new Main());
        addNodeOptions(cli);
        cli.setParameterExceptionHandler((ex, a) -> {
            System.err.println("vmafx-node: " + ex.getMessage());
            System.err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return EXIT_CONFIG;
        });
        System.exit(cli.execute(args));
    }

    /** Gives every command that starts a node, nested ones ({@code bench storage}) included, the node's flags. */
    private static void addNodeOptions(CommandLine command) {
        for (CommandLine sub : command.getSubcommands().values()) {
            if (sub.getCommand() instanceof NodeCommand c) {
                NodeOptions.addTo(sub.getCommandSpec(), c.serves());
            }
            addNodeOptions(sub);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** The version from the module descriptor (the build's project version). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vmafx-node " + Main.class.getModule().getDescriptor().rawVersion().orElse("(dev)")};
        }
    }
}
