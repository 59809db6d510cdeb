package io.vmafx.bypass.ebpf.cache;

import io.vmafx.rclone.RcloneTool;
import io.vmafx.spi.NodeSettings;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The rclone the node runs, as rclone-support finds it for the storage providers ({@code VMAFX_RCLONE_BIN},
 * {@code VMAFX_RCLONE_CONFIG}: the same binary lookup and config), for the bypass's own short commands
 * ({@code lsjson --stat}, {@code backend features}): run with the node's environment (so {@code RCLONE_*}
 * variables reach it as they reach the mount) but for the logging ones, stdin closed, output bounded, killed on a
 * timeout or an interrupt.
 */
public final class Rclone {

    public static final String BIN = RcloneTool.BIN;
    public static final String CONFIG = RcloneTool.CONFIG;
    /** Output kept per stream; rclone's answers here are a few KiB. */
    static final int OUTPUT_LIMIT = 1 << 20;
    /**
     * Logging variables of the node's environment that would move or reshape rclone's log, which the identity
     * check reads ({@code RemoteFs}); they do not change how rclone names the remote.
     */
    private static final List<String> LOG_VARIABLES = List.of("RCLONE_LOG_FILE", "RCLONE_USE_JSON_LOG", "RCLONE_LOG_FORMAT",
            "RCLONE_SYSLOG", "RCLONE_LOG_LEVEL", "RCLONE_VERBOSE", "RCLONE_QUIET", "RCLONE_STATS", "RCLONE_STATS_ONE_LINE",
            "RCLONE_PROGRESS");

    private final RcloneTool tool;

    private Rclone(RcloneTool tool) {
        this.tool = tool;
    }

    public Rclone(Path binary, Optional<Path> config) {
        this(RcloneTool.of(binary, config));
    }

    /** The configured rclone, or empty when it is not found; {@link #problem} then says why. */
    public static Optional<Rclone> find(NodeSettings settings) {
        return RcloneTool.find(settings).map(Rclone::new);
    }

    /** Why {@link #find} found nothing, in one sentence naming the setting. */
    public static String problem(NodeSettings settings) {
        return RcloneTool.problem(settings);
    }

    public Path binary() {
        return tool.binary();
    }

    /** {@code rclone [--config file] --ask-password=false args...}: never waits for a config password on stdin. */
    List<String> command(List<String> args) {
        List<String> command = new ArrayList<>(tool.command(List.of("--ask-password=false")));
        command.addAll(args);
        return command;
    }

    /** How one run ended. */
    record Result(int exitCode, String stdout, String stderr) {
        /** The last line of stderr that is not a debug line, for messages. */
        String stderrTail() {
            String[] lines = stderr.strip().split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                String l = lines[i].strip();
                if (!l.isEmpty() && !l.contains(" DEBUG : ")) {
                    return l.length() > 300 ? l.substring(0, 300) + "..." : l;
                }
            }
            return "";
        }
    }

    /** rclone did not finish in time; it has been killed. */
    static final class TimeoutException extends Exception {
        private static final long serialVersionUID = 1L;

        TimeoutException(String message) {
            super(message);
        }
    }

    /**
     * Runs {@code rclone args...} and waits for it at most {@code timeout}. The process is gone when this returns,
     * whatever happened (killed on timeout and on interrupt).
     */
    Result run(List<String> args, Duration timeout) throws IOException, InterruptedException, TimeoutException {
        ProcessBuilder pb = new ProcessBuilder(command(args));
        Map<String, String> env = pb.environment();
        LOG_VARIABLES.forEach(env::remove);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        Drain out = new Drain(p.getInputStream());
        Drain err = new Drain(p.getErrorStream());
        Thread to = daemon(out, "vmafx-bypass-rclone-out");
        Thread te = daemon(err, "vmafx-bypass-rclone-err");
        boolean done = false;
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new TimeoutException("rclone " + args.get(0) + " did not finish within " + timeout.toMillis() + " ms");
            }
            to.join(timeout.toMillis() + 1000);
            te.join(timeout.toMillis() + 1000);
            done = true;
            return new Result(p.exitValue(), out.text(), err.text());
        } finally {
            if (!done) {
                p.destroyForcibly();
                p.waitFor(2, TimeUnit.SECONDS);
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Reads a stream to its end, keeping the first {@link #OUTPUT_LIMIT} bytes. */
    private static final class Drain implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        Drain(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    synchronized (kept) {
                        int room = OUTPUT_LIMIT - kept.size();
                        if (room > 0) {
                            kept.write(buf, 0, Math.min(room, n));
                        }
                    }
                }
            } catch (IOException e) {
                // the process went away; what was read stays
            }
        }

        String text() {
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }

    @Override
    public String toString() {
        return String.join(" ", tool.command(List.of()));
    }
}
