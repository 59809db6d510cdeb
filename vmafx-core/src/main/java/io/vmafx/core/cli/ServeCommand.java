package io.vmafx.core.cli;

import io.vmafx.core.config.ConfigException;
import io.vmafx.core.node.Node;
import io.vmafx.core.serve.Serve;
import io.vmafx.core.serve.ServeSettings;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;

/**
 * {@code vmafx-node serve}: the node as a long-running worker behind an HTTP API (see {@link Serve}). SIGTERM
 * (or Ctrl-C) drains it: no new jobs, running ones finish up to {@code VMAFX_NODE_DRAIN}, then are cancelled;
 * every rclone process and mount is released and the process exits 0.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the node as a worker behind an HTTP API: POST /v1/jobs, GET /v1/jobs/{id}, DELETE /v1/jobs/{id}, "
                + "GET /v1/jobs, /healthz, /readyz, /metrics.",
                "Binds 127.0.0.1:8080 by default (--addr, --port; port 0 lets the kernel pick); any other address needs a "
                        + "bearer token (VMAFX_NODE_TOKEN). SIGTERM drains: running jobs get --drain to finish, then are cancelled; exit 0."})
final class ServeCommand extends NodeCommand {

    @Override
    boolean serves() {
        return true;
    }


    private volatile long drainMillis = ServeSettings.DEFAULT_DRAIN.toMillis();

    @Override
    int run(Node node) throws Exception {
        ServeSettings settings;
        try {
            settings = ServeSettings.from(node.config());
        } catch (ConfigException e) {
            throw new CliFailure(Main.EXIT_CONFIG, e.getMessage());
        }
        drainMillis = settings.drain().toMillis();
        Serve serve;
        try {
            serve = Serve.start(node, settings);
        } catch (Serve.StoreUnusable e) {
            throw new CliFailure(e.badSetting() ? Main.EXIT_CONFIG : Main.EXIT_JOB_FAILED, "serve: " + e.getMessage());
        } catch (IOException e) {
            throw new CliFailure(Main.EXIT_CONFIG, "serve: cannot listen on " + settings.address().getHostAddress() + ":"
                    + settings.port() + ": " + e.getMessage());
        }
        System.err.println("serve: listening on " + serve.url() + " (" + settings.slots() + " slots, queue "
                + settings.queue() + (settings.token().isPresent() ? ", bearer token required" : "") + ", job store "
                + serve.store() + (serve.jobs().sharedStore() ? ", node " + serve.jobs().node() : "") + ")");
        try {
            new CountDownLatch(1).await(); // until SIGTERM/SIGINT: the shutdown hook interrupts this thread
        } catch (InterruptedException e) {
            System.err.println("serve: stopping: no new jobs; running jobs get " + settings.drain().toSeconds()
                    + " s to finish (VMAFX_NODE_DRAIN)");
        }
        String what = serve.drain();
        System.err.println("serve: stopped: " + what + "; releasing storage");
        return 0;
    }

    @Override
    long shutdownGraceMillis() {
        // The drain, then up to 30 s for cancelled jobs to end, then some for the server to stop.
        return drainMillis + 45_000;
    }

    @Override
    boolean exitWithOwnCodeOnSignal() {
        return true;
    }
}
