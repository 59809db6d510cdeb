package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/vmafx-node bench faults} small: 30 jobs per mode, one in three meeting a fault, so that every kind
 * comes up at least twice in each mode. The bench's own must-be-0 figures (wrong scores reported as success, hung
 * jobs, what the stopped nodes left) are read from its tables, and each fault kind must have made at least one job
 * fail with the cause the bench expects of it: a fault that no job ever noticed would be a bench that tests nothing.
 */
class FaultBenchTest {

    static final List<String> HTTP_SERVE_FAULTS = List.of("rclone killed", "source truncated", "source replaced", "source deleted");
    static final List<String> MOUNT_FAULTS = List.of("rclone killed", "source truncated", "source replaced", "source deleted",
            "cache disk full");

    @TempDir
    Path scratch;

    @AfterEach
    void safetyNet() {
        Leftovers.cleanUp(scratch, Set.of());
    }

    @Test
    void faultsFailJobsWithTheirCauseAndNoScoreIsWrongNoJobHangsNothingIsLeft() throws Exception {
        assumeTrue(Node.isRoot(Files.createFile(scratch.resolve("owner"))), "bench faults mounts its cache tmpfs: it needs root");
        NodeDirs dirs = new NodeDirs(scratch.resolve("node"));
        Files.writeString(dirs.config(), "");
        Node.Result r;
        try (Node.Running run = Node.start(dirs.env(Map.of()), Node.ROOT, "bench", "faults", "--jobs", "30", "--fault-every", "3")) {
            r = run.awaitExit(600);
        }
        System.out.println(r.stdout());
        Node.Result result = r;
        List<String> lines = r.stdout().lines().toList();
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertEquals(0, result.exit(), () -> "bench faults exit: " + result));
        checks.add(result::assertNoStackTrace);
        for (String mode : List.of("http-serve", "mount")) {
            // mode, jobs, succeeded, failed right, failed other, cancelled, wrong, hung, wall
            Matcher jobs = row(lines, Pattern.quote(mode) + "\\s+(30)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+[\\d.]+", result);
            checks.add(() -> assertEquals("0", jobs.group(6), () -> mode + ": wrong scores reported as success: " + result));
            checks.add(() -> assertEquals("0", jobs.group(7), () -> mode + ": hung jobs: " + result));
            Matcher left = row(lines, Pattern.quote(mode) + "\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+exited on SIGTERM", result);
            checks.add(() -> assertEquals(List.of("0", "0", "0", "0"), List.of(left.group(1), left.group(2), left.group(3), left.group(4)),
                    () -> mode + ": rclone processes, other processes, mounts, temporary files left: " + result));
            for (String fault : mode.equals("mount") ? MOUNT_FAULTS : HTTP_SERVE_FAULTS) {
                // mode, fault, jobs, injected, mid-read, failed right, succeeded, other
                Matcher f = row(lines, Pattern.quote(mode) + "\\s+" + Pattern.quote(fault)
                        + "\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)", result);
                checks.add(() -> assertTrue(Integer.parseInt(f.group(4)) >= 1,
                        () -> mode + ", " + fault + ": no job failed with the fault's cause: " + result));
            }
        }
        checks.add(() -> assertTrue(lines.get(lines.size() - 1).startsWith("cleanup: no child process left, no mount left, "),
                () -> "" + result));
        checks.add(() -> assertTrue(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .noneMatch(l -> l.contains("vmafx-bench-cache")), "the cache tmpfs is unmounted"));
        checks.add(() -> dirs.assertClean(Set.of()));
        assertAll(checks);
    }

    /** The one line of {@code lines} matching {@code regex} whole, as a matched matcher. */
    private static Matcher row(List<String> lines, String regex, Node.Result r) {
        Pattern p = Pattern.compile(regex);
        return lines.stream().map(p::matcher).filter(Matcher::matches).findFirst()
                .orElseThrow(() -> new AssertionError("no line matching " + regex + " in: " + r));
    }
}
