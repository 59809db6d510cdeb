package io.vmafx.core.cli;

import io.vmafx.core.config.ConfigException;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.discovery.DiscoveryException;
import io.vmafx.core.node.Node;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * A command that starts a node: it gets the {@link NodeOptions} flags, turns configuration and discovery
 * errors into one line and exit code 2, and releases the node on every way out, SIGINT and SIGTERM included.
 */
abstract class NodeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Whether the command runs the HTTP API, and so takes the serve-only flags; each command's help lists only its own. */
    boolean serves() {
        return false;
    }

    /** The command's work, with a started node. */
    abstract int run(Node node) throws Exception;

    /** The command's exit code once it has returned; read by the shutdown hook. */
    private volatile Integer exitCode;

    /**
     * How long the shutdown hook (SIGINT/SIGTERM) waits for the command's own cleanup after interrupting it,
     * before it closes the node anyway.
     */
    long shutdownGraceMillis() {
        return 15_000;
    }

    /**
     * Whether a signal ends the process with the command's own exit code rather than the JVM's 128+signal: true
     * for a command whose answer to SIGTERM is an orderly stop ({@code serve}). The hook then halts the JVM with
     * that code once the node is closed, the last thing it does.
     */
    boolean exitWithOwnCodeOnSignal() {
        return false;
    }

    @Override
    public final Integer call() {
        NodeConfig config;
        Node node;
        try {
            config = NodeConfig.load(System.getenv(), NodeOptions.flags(spec), home());
            node = Node.start(config, System.getenv());
        } catch (ConfigException | DiscoveryException e) {
            return fail(Main.EXIT_CONFIG, e.getMessage());
        }
        Thread worker = Thread.currentThread();
        CountDownLatch cleanedUp = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            // SIGINT/SIGTERM: cancel the running job (ffmpeg is killed, inputs are released), then close.
            // Wait for the command's own cleanup, not for the worker thread to end: after it, the worker blocks
            // in System.exit for as long as shutdown hooks run, so joining it would always wait the full bound.
            worker.interrupt();
            boolean done = false;
            try {
                done = cleanedUp.await(shutdownGraceMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            node.close();
            Integer code = exitCode;
            if (exitWithOwnCodeOnSignal() && done && code != null) {
                // Everything is released (jobs drained, node closed): no other hook of ours is left to run.
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(code);
            }
        }, "vmafx-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = Main.EXIT_JOB_FAILED;
        try {
            code = run(node);
            return code;
        } catch (InterruptedException e) {
            code = fail(Main.EXIT_INTERRUPTED, "interrupted");
            return code;
        } catch (CliFailure e) {
            code = fail(e.exitCode, e.getMessage());
            return code;
        } catch (Exception e) {
            code = fail(Main.EXIT_JOB_FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
            return code;
        } finally {
            node.close();
            exitCode = code;
            cleanedUp.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is already running; it closes the node again, which is harmless.
            }
        }
    }

    static int fail(int code, String message) {
        System.err.println("vmafx-node: " + message.replace('\n', ' '));
        return code;
    }

    /** The installation directory: {@code -Dvmafx.home} from the launcher, else the working directory. */
    static Path home() {
        return Path.of(System.getProperty("vmafx.home", ".")).toAbsolutePath().normalize();
    }

    /** A failure with its exit code and one-line message. */
    static final class CliFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        CliFailure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }
}
