package io.vmafx.spi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which node process owns something it left on the machine: a child process, a directory. The id is
 * {@code <pid>-<start time>}, the start time being the kernel's ({@code /proc/<pid>/stat}, clock ticks since
 * boot), so that a pid the kernel hands to another process later is not taken for the node that had it.
 *
 * <p>Providers mark what they start and make with {@link #current()}'s id ({@link #ENVIRONMENT} in a child's
 * environment, the id in a directory's name); a node that starts removes what is marked by an id that is not
 * {@link #isRunning() running} any more: the leftovers of a node that was killed. Something marked by a running
 * node is never touched, whichever node looks.
 *
 * @param pid       the process id
 * @param startTime the process's start time in clock ticks since boot, field 22 of {@code /proc/<pid>/stat}
 */
public record NodeProcess(long pid, long startTime) {

    /** The environment variable that carries the owner's id in every child process a provider starts. */
    public static final String ENVIRONMENT = "VMAFX_NODE_PROCESS";

    private static final Pattern ID = Pattern.compile("(\\d{1,10})-(\\d{1,19})");
    private static final Path PROC = Path.of("/proc");
    private static volatile NodeProcess current;

    /** This JVM's process. */
    public static NodeProcess current() {
        NodeProcess c = current;
        if (c == null) {
            long pid = ProcessHandle.current().pid();
            c = new NodeProcess(pid, startTimeOf(pid).orElse(0L));
            current = c;
        }
        return c;
    }

    /** The process {@code pid} as it runs now, or empty when there is none (or {@code /proc} cannot tell). */
    public static Optional<NodeProcess> of(long pid) {
        return startTimeOf(pid).map(start -> new NodeProcess(pid, start));
    }

    /** Parses an {@link #id()}; empty for anything else. */
    public static Optional<NodeProcess> parse(String id) {
        Matcher m = ID.matcher(id == null ? "" : id);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new NodeProcess(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** {@code <pid>-<start time>}: what marks are made of. */
    public String id() {
        return pid + "-" + startTime;
    }

    /**
     * Whether this process still runs: its pid is there with the same start time. A start time of 0 (unknown when
     * the mark was made) counts as running while the pid is there: better a leftover kept than a live node's
     * process killed.
     */
    public boolean isRunning() {
        Optional<Long> now = startTimeOf(pid);
        return now.isPresent() && (startTime == 0 || now.get() == startTime);
    }

    /** Field 22 of {@code /proc/<pid>/stat}; empty when the process is gone or {@code /proc} is not there. */
    static Optional<Long> startTimeOf(long pid) {
        String stat;
        try {
            stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
        return parseStartTime(stat);
    }

    /**
     * The start time in a {@code /proc/<pid>/stat} line: {@code pid (comm) state ppid ...}. The command name may
     * hold spaces and parentheses, so the fields are counted from the last {@code ')'}: field 3 is the first after it.
     */
    static Optional<Long> parseStartTime(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return Optional.empty();
        }
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        if (f.length < 20) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(f[19]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "node process " + id();
    }
}
