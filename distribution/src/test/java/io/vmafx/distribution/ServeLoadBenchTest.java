package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/vmafx-node bench load} with a few jobs, so that the load benchmark cannot rot. */
class ServeLoadBenchTest {

    @TempDir
    Path scratch;

    @AfterEach
    void safetyNet() {
        Leftovers.cleanUp(scratch, Set.of());
    }

    @Test
    void aSmallLoadRunsInBothModesAndLeavesNothing() throws Exception {
        NodeDirs dirs = new NodeDirs(scratch.resolve("node"));
        Files.writeString(dirs.config(), "");
        Node.Result r = Node.run(dirs.env(Map.of()), Node.ROOT, "bench", "load", "--jobs", "12", "--cancel-every", "5",
                "--fail-every", "4", "--slots", "2");
        System.out.println(r.stdout());
        assertEquals(0, r.exit(), () -> "" + r);
        List<String> lines = r.stdout().lines().toList();
        for (String mode : List.of("http-serve", "mount")) {
            // 12 jobs: 3 fail on purpose (4, 8, 12), 2 DELETEs (5, 10), each cancelled unless its job had already ended.
            Pattern row = Pattern.compile(Pattern.quote(mode) + "\\s+12\\s+(\\d+)\\s+3\\s+(\\d)/2\\s+\\d+\\.\\d\\s+\\d+\\.\\d\\s+.*");
            assertTrue(lines.stream().anyMatch(l -> row.matcher(l).matches() && okPlusCancelled(l, row) == 9),
                    () -> "no row for " + mode + " with 12 jobs, 3 failed, 9 ok or cancelled: " + r);
            assertTrue(lines.contains(mode + ": no leak: no child process, no mount, no job/http/prepare thread, "
                    + "file descriptors back to where they were"), () -> "leak line of " + mode + ": " + r);
        }
        assertAll(() -> assertTrue(lines.get(lines.size() - 1).startsWith("cleanup: no child process left, no mount left, "), () -> "" + r),
                r::assertNoStackTrace,
                () -> dirs.assertClean(Set.of()));
    }

    private static int okPlusCancelled(String line, Pattern row) {
        var m = row.matcher(line);
        m.matches();
        return Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2));
    }
}
