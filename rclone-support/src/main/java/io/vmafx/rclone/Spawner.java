package io.vmafx.rclone;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Starts the node's child processes so that they die with it: each command runs under
 * {@code setpriv --pdeathsig KILL} (util-linux 2.33 or later), which asks the kernel to send the child SIGKILL
 * when its parent dies, however it dies (SIGKILL and OOM-kill included, where no shutdown hook runs).
 *
 * <p>The kernel's "parent" is the thread that forked the child, not the JVM: a child started from a pooled
 * prepare thread would be killed when that thread ends after a minute idle. So every process is forked by one
 * thread that lives as long as the JVM ({@code vmafx-spawner}); callers hand it the {@link ProcessBuilder} and
 * wait the millisecond that {@code start} takes. The JDK's process reaper only waits for children, it forks none.
 *
 * <p>Without a {@code setpriv} that has {@code --pdeathsig} (checked once), commands run as they are, and a killed
 * node's children live until the next node starts and reaps them ({@link Orphans}); the reason is logged once.
 * Used by {@link ChildProcess} only.
 */
final class Spawner {

    private static final System.Logger LOG = System.getLogger(Spawner.class.getName());
    private static final long CHECK_TIMEOUT_SECONDS = 5;

    /** One thread for the life of the JVM: a daemon, so it never keeps the JVM alive. */
    private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vmafx-spawner");
        t.setDaemon(true);
        return t;
    });

    /** The wrapper's first words, or empty without one; decided once, on the first start. */
    private static volatile List<String> prefix;

    private Spawner() {
    }

    /**
     * Starts {@code builder}'s command, under the pdeathsig wrapper when there is one, on the spawner thread. An
     * interrupt while waiting does not abandon a process that may start anyway: it is waited for, and the
     * interrupt kept in the thread's status.
     *
     * @throws IOException what {@link ProcessBuilder#start()} threw (the executable is missing, ...)
     */
    static Process start(ProcessBuilder builder) throws IOException {
        Future<Process> f = THREAD.submit(() -> {
            List<String> wrapper = prefix();
            // An executable that cannot run goes to the JDK unwrapped, so that the caller gets its IOException
            // rather than a setpriv that exits 127.
            if (!wrapper.isEmpty() && Executables.find(builder.command().get(0)).isPresent()) {
                List<String> command = new ArrayList<>(wrapper);
                command.addAll(builder.command());
                builder.command(command);
            }
            return builder.start();
        });
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException) {
                throw (IOException) e.getCause();
            }
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new IOException(e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether children die with the node by themselves (a pdeathsig wrapper is in use). */
    static boolean diesWithParent() {
        try {
            return THREAD.submit(Spawner::prefix).get().size() > 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }

    /** On the spawner thread only. */
    private static List<String> prefix() {
        List<String> p = prefix;
        if (p == null) {
            p = findWrapper();
            prefix = p;
        }
        return p;
    }

    private static List<String> findWrapper() {
        Optional<Path> setpriv = Executables.find("setpriv");
        if (setpriv.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "no setpriv on the PATH (util-linux): rclone processes of a node that is killed"
                    + " live until the next node starts and reaps them");
            return List.of();
        }
        List<String> wrapper = List.of(setpriv.get().toString(), "--pdeathsig", "KILL");
        // Older util-linux has setpriv without --pdeathsig: try it once on a command that does nothing.
        List<String> trial = new ArrayList<>(wrapper);
        trial.add("true");
        try {
            Process p = new ProcessBuilder(trial).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (p.waitFor(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return wrapper;
            }
            p.destroyForcibly();
            LOG.log(System.Logger.Level.INFO, setpriv.get() + " has no --pdeathsig (util-linux before 2.33): rclone processes of a"
                    + " node that is killed live until the next node starts and reaps them");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, "cannot run " + setpriv.get() + " (" + e.getMessage() + "): rclone processes of a"
                    + " node that is killed live until the next node starts and reaps them");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return List.of();
    }
}
