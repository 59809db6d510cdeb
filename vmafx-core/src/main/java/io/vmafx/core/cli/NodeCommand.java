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

    /** The command's work, with a started node. */
    abstract int run(Node node) throws Exception;

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
            try {
                cleanedUp.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            node.close();
        }, "vmafx-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run(node);
        } catch (InterruptedException e) {
            return fail(Main.EXIT_INTERRUPTED, "interrupted");
        } catch (CliFailure e) {
            return fail(e.exitCode, e.getMessage());
        } catch (Exception e) {
            return fail(Main.EXIT_JOB_FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        } finally {
            node.close();
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
