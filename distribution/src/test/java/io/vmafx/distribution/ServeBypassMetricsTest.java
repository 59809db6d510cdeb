package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.distribution.Remotes.Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} in mount mode with the eBPF bypass on: {@code /metrics} shows what the bypass and its probe did, and
 * it agrees with the jobs' results: every input offered, each either used or declined (by reason), the bytes the
 * probe saw through FUSE, no ring-buffer drop.
 */
class ServeBypassMetricsTest {

    @TempDir
    static Path scratch;
    static Remotes remotes;
    static NodeDirs dirs;
    static long pairBytes;

    @BeforeAll
    static void clipsAndRemote() throws Exception {
        Path data = scratch.resolve("data");
        Clips.testPattern(data.resolve("ref.y4m"), 160, 90, 1);
        Clips.degraded(data.resolve("ref.y4m"), data.resolve("dis.y4m"), 160, 90);
        pairBytes = Files.size(data.resolve("ref.y4m")) + Files.size(data.resolve("dis.y4m"));
        remotes = Remotes.start(scratch.resolve("servers"), data, EnumSet.of(Backend.LOCAL));
        dirs = new NodeDirs(scratch.resolve("node"));
        remotes.writeConfig(dirs.config());
    }

    @AfterEach
    void safetyNet() {
        Leftovers.cleanUp(scratch, Set.of());
    }

    @AfterAll
    static void close() {
        if (remotes != null) {
            remotes.close();
        }
    }

    @Test
    void bypassAndProbeFiguresAgreeWithTheJobs() throws Exception {
        try (ServeNode serve = ServeNode.start(dirs.env(Map.of("VMAFX_EBPF_BYPASS", "1")), "--storage-mode", "mount")) {
            String cold = serve.submit("loc:ref.y4m", "loc:dis.y4m");
            Map<String, Object> first = serve.awaitEnd(cold, 60);
            assertEquals("succeeded", first.get("state"), () -> "" + first);
            assertEquals(false, Node.at(first, "result.reference.bypass"), () -> "cold: read through FUSE: " + first);
            // rclone saves its cache metadata a moment after the read: warm jobs until one is bypassed (a few seconds at most).
            int jobs = 1;
            boolean bypassed = false;
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!bypassed && System.nanoTime() < deadline) {
                Map<String, Object> warm = serve.awaitEnd(serve.submit("loc:ref.y4m", "loc:dis.y4m"), 60);
                jobs++;
                assertEquals("succeeded", warm.get("state"), () -> "" + warm);
                bypassed = Boolean.TRUE.equals(Node.at(warm, "result.reference.bypass"));
                Thread.sleep(200);
            }
            assertTrue(bypassed, "a warm job is bypassed");
            Map<String, Double> m = serve.metrics();
            System.out.println("bypass metrics after " + jobs + " jobs: " + m.entrySet().stream()
                    .filter(e -> e.getKey().matches("vmafx_(bypass|input|probe|job_inputs).*")).toList());
            double offers = m.get("vmafx_bypass_offers_total{provider=\"ebpf\"}");
            double used = m.get("vmafx_bypass_used_total{provider=\"ebpf\"}");
            double declined = m.entrySet().stream().filter(e -> e.getKey().startsWith("vmafx_bypass_declined_total{provider=\"ebpf\",reason="))
                    .mapToDouble(Map.Entry::getValue).sum();
            int n = jobs;
            assertAll(
                    () -> assertEquals(2.0 * n, offers, "every input of every job is offered"),
                    () -> assertEquals(offers, used + declined, "each offer is used or declined"),
                    () -> assertTrue(used >= 1, "used: " + used),
                    () -> assertTrue(m.get("vmafx_bypass_declined_total{provider=\"ebpf\",reason=\"not_cached\"}") >= 2,
                            "the cold job's inputs were not in the cache: " + m),
                    () -> assertEquals(used, m.get("vmafx_job_inputs_total{provider=\"mount\",read=\"bypass\"}")),
                    () -> assertEquals(2.0 * n - used, m.get("vmafx_job_inputs_total{provider=\"mount\",read=\"storage\"}")),
                    () -> assertTrue(m.get("vmafx_input_read_bytes_total{path=\"fuse\"}") >= pairBytes,
                            "the probe counted the cold job's reads through FUSE: " + m.get("vmafx_input_read_bytes_total{path=\"fuse\"}")),
                    () -> assertTrue(m.get("vmafx_input_read_bytes_total{path=\"bypass\"}") > 0),
                    () -> assertEquals(0.0, m.get("vmafx_probe_ring_drops_total{provider=\"ebpf\"}")));
            Node.Result r = serve.terminate(60);
            assertEquals(0, r.exit(), () -> "" + r);
            dirs.assertClean(Set.of());
        }
    }
}
