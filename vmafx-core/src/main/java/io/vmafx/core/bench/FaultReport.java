package io.vmafx.core.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@link FaultBench} found, as tables: jobs by outcome per mode, each fault kind's jobs, what the stopped
 * nodes left, {@code /healthz} beside the slow clients; then every job that went wrong. {@link #failed()} when a
 * figure that must be 0 is not: wrong scores reported as success, hung jobs, leftovers, a node that did not stop.
 */
public record FaultReport(FaultBench.Options options, List<ModeResult> modes, String unmount, ScratchRemote.Cleanup cleanup,
                          double wallSeconds) {

    /** A job's outcome. */
    enum Outcome {
        SUCCEEDED, FAILED_RIGHT_CAUSE, FAILED_OTHER_CAUSE, CANCELLED, WRONG_SCORE, HUNG
    }

    /** One mode's run. */
    record ModeResult(String mode, List<FaultBench.Job> jobs, List<FaultBench.NodeEvent> events, List<Double> healthzMillis,
                      int healthzFailed, int slowReopened, int slowClients, String stopProblem, List<String> leaks,
                      List<String> benchErrors, double wallSeconds) {

        long count(Outcome o) {
            return jobs.stream().filter(j -> j.outcome == o).count();
        }

        long count(FaultKind k, java.util.function.Predicate<FaultBench.Job> p) {
            return jobs.stream().filter(j -> j.kind == k).filter(p).count();
        }

        long leaked(String what) {
            return leaks.stream().filter(l -> l.startsWith(what)).count();
        }

        boolean ok() {
            return count(Outcome.WRONG_SCORE) == 0 && count(Outcome.HUNG) == 0 && leaks.isEmpty() && stopProblem == null
                    && benchErrors.isEmpty();
        }
    }

    public boolean failed() {
        return modes.stream().anyMatch(m -> !m.ok()) || unmount != null || cleanup == null || !cleanup.clean();
    }

    public String text() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "fault bench: %d jobs per mode through the HTTP API of a serve process (%d slots), "
                        + "%s clips on an rclone alias remote (clean jobs %d s, fault jobs %d s); 1 job in %d meets a fault, "
                        + "1 other in %d is cancelled while it runs; %d slow clients hold half a request header throughout; "
                        + "the mount's cache is a %d MB tmpfs%n%n",
                options.jobs(), options.slots(), FaultBench.SIZE, FaultBench.CLEAN_SECONDS, FaultBench.FAULT_SECONDS, options.faultEvery(),
                options.cancelEvery(), options.slowClients(), options.cacheMb()));
        TextTable jobs = new TextTable(List.of("mode", "jobs", "succeeded", "failed, right cause", "failed, other cause", "cancelled",
                "WRONG SCORE as success", "HUNG", "wall s"), aligns(9, 1));
        for (ModeResult m : modes) {
            jobs.row(m.mode(), Integer.toString(m.jobs().size()), n(m.count(Outcome.SUCCEEDED)), n(m.count(Outcome.FAILED_RIGHT_CAUSE)),
                    n(m.count(Outcome.FAILED_OTHER_CAUSE)), n(m.count(Outcome.CANCELLED)), n(m.count(Outcome.WRONG_SCORE)),
                    n(m.count(Outcome.HUNG)), String.format(Locale.ROOT, "%.1f", m.wallSeconds()));
        }
        b.append(jobs.render()).append('\n');

        TextTable faults = new TextTable(List.of("mode", "fault", "jobs", "injected", "mid-read", "failed, its cause",
                "succeeded (read before the fault)", "other"), aligns(8, 2));
        for (ModeResult m : modes) {
            for (FaultKind k : FaultKind.of(m.mode())) {
                long total = m.count(k, j -> true);
                long right = m.count(k, j -> j.outcome == Outcome.FAILED_RIGHT_CAUSE && j.error != null && k.cause().matcher(j.error).find());
                long ok = m.count(k, j -> j.outcome == Outcome.SUCCEEDED);
                faults.row(m.mode(), k.label(), n(total), n(m.count(k, j -> j.faultAt != null)), n(m.count(k, j -> j.midRead)),
                        n(right), n(ok), n(total - right - ok));
            }
        }
        b.append(faults.render());
        b.append("mid-read: the job's scoring ffprobe was still running after the fault (a full cache is kept full until the job ended)\n");
        for (ModeResult m : modes) {
            for (FaultKind k : FaultKind.of(m.mode())) {
                m.jobs().stream().filter(j -> j.kind == k && j.outcome == Outcome.FAILED_RIGHT_CAUSE && k.cause().matcher(j.error).find())
                        .findFirst()
                        .ifPresent(j -> b.append(m.mode()).append(", ").append(k.label()).append(": ").append(shortened(j.error)).append('\n'));
            }
        }
        b.append("jobs without a fault of their own that met a node-wide one (an rclone kill, a full cache) while they ran count "
                + "as failed with the right cause when they name it\n\n");

        TextTable left = new TextTable(List.of("mode", "rclone processes left", "other processes left", "mounts left",
                "temporary files left", "node stop"), aligns(6, 1));
        for (ModeResult m : modes) {
            long rclone = m.leaks().stream().filter(l -> l.startsWith("process ") && l.contains("rclone")).count();
            left.row(m.mode(), n(rclone), n(m.leaked("process ") - rclone), n(m.leaked("mount ")), n(m.leaked("temporary file ")),
                    m.stopProblem() == null ? "exited on SIGTERM" : m.stopProblem());
        }
        b.append(left.render()).append('\n');

        TextTable health = new TextTable(List.of("mode", "slow connections", "/healthz samples", "p50 ms", "p99 ms", "max ms",
                "failed", "slow ones closed by the server"), aligns(8, 1));
        for (ModeResult m : modes) {
            Percentiles.Summary s = m.healthzMillis().isEmpty() ? null : Percentiles.Summary.of(m.healthzMillis());
            health.row(m.mode(), Integer.toString(m.slowClients()), Integer.toString(m.healthzMillis().size()),
                    s == null ? "-" : String.format(Locale.ROOT, "%.2f", s.p50()), s == null ? "-" : String.format(Locale.ROOT, "%.2f", s.p99()),
                    s == null ? "-" : String.format(Locale.ROOT, "%.2f", s.max()), Integer.toString(m.healthzFailed()),
                    Integer.toString(m.slowReopened()));
        }
        b.append(health.render()).append('\n');

        List<String> notes = new ArrayList<>();
        for (ModeResult m : modes) {
            for (FaultBench.Job j : m.jobs()) {
                if (j.outcome == Outcome.WRONG_SCORE) {
                    notes.add("WRONG SCORE " + j.describe());
                } else if (j.outcome == Outcome.HUNG) {
                    notes.add("HUNG " + j.describe());
                } else if (j.outcome == Outcome.FAILED_OTHER_CAUSE) {
                    notes.add("other cause: " + j.describe() + " (met: " + FaultBench.met(j, m.events()) + ")");
                }
            }
            m.leaks().forEach(l -> notes.add("LEFT by the " + m.mode() + " node: " + l));
            m.benchErrors().forEach(e -> notes.add("BENCH " + e));
        }
        notes.forEach(n -> b.append(n).append('\n'));
        if (unmount != null) {
            b.append("LEFT: ").append(unmount).append('\n');
        }
        b.append(String.format(Locale.ROOT, "run time: %.1f s%n", wallSeconds));
        b.append(cleanup == null ? "cleanup: not run" : cleanup.describe()).append('\n');
        return b.toString();
    }

    private static String shortened(String error) {
        return error == null ? "(no error)" : error.length() > 240 ? error.substring(0, 240) + "..." : error;
    }

    private static String n(long v) {
        return Long.toString(v);
    }

    /** {@code left} columns of text, then numbers. */
    private static List<TextTable.Align> aligns(int columns, int left) {
        List<TextTable.Align> a = new ArrayList<>();
        for (int i = 0; i < columns; i++) {
            a.add(i < left ? TextTable.Align.LEFT : TextTable.Align.RIGHT);
        }
        return a;
    }
}
