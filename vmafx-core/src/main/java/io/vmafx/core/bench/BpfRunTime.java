package io.vmafx.core.bench;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The CPU time the kernel spends running the probe's BPF programs, as the kernel itself counts it
 * ({@code kernel.bpf_stats_enabled}: each program's {@code run_time_ns} and {@code run_cnt}, read with
 * {@code bpftool prog show --json}). Wall-clock comparisons of reads with and without the probe drown a 1 % cost in
 * the noise of a 2-core machine; this measures what the probe adds to every system call it sees directly.
 *
 * <p>What it leaves out: the tracepoint's own dispatch into the program (tens of nanoseconds per call), which the
 * kernel does not count as the program's time. Turning the statistics on costs two clock reads per program run
 * itself; {@link #close()} puts the sysctl back as it was.
 */
final class BpfRunTime implements AutoCloseable {

    private static final Path SYSCTL = Path.of("/proc/sys/kernel/bpf_stats_enabled");
    /** Every program of the probe is named so ({@code vmafx_probe.bpf.c}). */
    static final String PROGRAM_PREFIX = "vmafx_";

    private final String bpftool;
    private final String before;

    private BpfRunTime(String bpftool, String before) {
        this.bpftool = bpftool;
        this.before = before;
    }

    /**
     * Turns the kernel's BPF run-time statistics on.
     *
     * @throws IOException the sysctl cannot be written (not root, no such kernel feature) or bpftool does not run;
     *                     the message says which
     */
    static BpfRunTime enable(String bpftool) throws IOException, InterruptedException {
        String before;
        try {
            before = Files.readString(SYSCTL).trim();
            Files.writeString(SYSCTL, "1");
        } catch (IOException e) {
            throw new IOException("cannot turn on kernel.bpf_stats_enabled (" + SYSCTL + "): " + e.getMessage(), e);
        }
        BpfRunTime t = new BpfRunTime(bpftool, before);
        try {
            t.programs();
        } catch (IOException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /** A program's counters. */
    record Counters(long runTimeNanos, long runs) {
    }

    /** The probe's programs loaded now (any probe's: see {@link #since}), by program id. */
    Map<Long, Counters> programs() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(bpftool, "--json", "prog", "show").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (p.exitValue() != 0) {
            throw new IOException(bpftool + " --json prog show exited with code " + p.exitValue());
        }
        return parse(out);
    }

    /** The {@code vmafx_*} programs of a {@code bpftool --json prog show} answer. */
    static Map<Long, Counters> parse(String json) throws IOException {
        Map<Long, Counters> found = new HashMap<>();
        List<Object> progs = JSON.std.listFrom(json);
        for (Object o : progs) {
            if (!(o instanceof Map<?, ?> prog) || !(prog.get("name") instanceof String name) || !name.startsWith(PROGRAM_PREFIX)) {
                continue;
            }
            long id = ((Number) prog.get("id")).longValue();
            long ns = prog.get("run_time_ns") instanceof Number n ? n.longValue() : 0;
            long runs = prog.get("run_cnt") instanceof Number n ? n.longValue() : 0;
            found.put(id, new Counters(ns, runs));
        }
        return found;
    }

    /**
     * What the programs that were not loaded at {@code before} ran from {@code start} to {@code end}: one probe's
     * programs, when {@code before} was taken just before it attached, whatever other probes run on the machine.
     */
    static Counters since(Set<Long> before, Map<Long, Counters> start, Map<Long, Counters> end) {
        long ns = 0;
        long runs = 0;
        for (Map.Entry<Long, Counters> e : end.entrySet()) {
            if (before.contains(e.getKey())) {
                continue;
            }
            Counters s = start.getOrDefault(e.getKey(), new Counters(0, 0));
            ns += e.getValue().runTimeNanos() - s.runTimeNanos();
            runs += e.getValue().runs() - s.runs();
        }
        return new Counters(ns, runs);
    }

    @Override
    public void close() {
        try {
            Files.writeString(SYSCTL, before);
        } catch (IOException e) {
            System.getLogger(BpfRunTime.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot put kernel.bpf_stats_enabled back to " + before + ": " + e.getMessage());
        }
    }

}
