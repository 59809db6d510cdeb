package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/vmafx-node batch} end to end on a corpus of small clips made here: in this process and through a real
 * {@code serve} node's API; a rerun skips what is scored (after a normal end and after SIGKILL); a failing pair gives
 * exit 1 and its error line; a malformed row exit 2 naming its line and field, before any work.
 */
class BatchEndToEndTest {

    /** Distorted variants of the reference: the scale factor of a down-and-up scaling. */
    static final List<Integer> FACTORS = List.of(2, 3, 4, 6, 8);

    @TempDir
    static Path corpus;
    @TempDir
    Path tmp;

    @BeforeAll
    static void makeCorpus() {
        Clips.testPattern(corpus.resolve("ref.y4m"), 160, 96, 1);
        for (int f : FACTORS) {
            Clips.ffmpeg("-i", corpus.resolve("ref.y4m").toString(), "-vf", "scale=" + 160 / f + ":" + 96 / f + ",scale=160:96",
                    "-pix_fmt", "yuv420p", corpus.resolve("dis" + f + ".y4m").toString());
        }
    }

    private NodeDirs dirs() throws IOException {
        NodeDirs d = new NodeDirs(tmp.resolve("node"));
        Files.writeString(d.config(), "");
        return d;
    }

    /** A CSV of every variant (with PSNR for the first) and, with {@code missing}, a pair whose distorted file is absent. */
    private Path pairs(String name, boolean absolute, boolean missing) throws IOException {
        StringBuilder csv = new StringBuilder("pair,reference,distorted,feature\n");
        String prefix = absolute ? corpus + "/" : "";
        for (int f : FACTORS) {
            csv.append("x").append(f).append(',').append(prefix).append("ref.y4m,").append(prefix).append("dis").append(f)
                    .append(".y4m,").append(f == 2 ? "psnr" : "").append('\n');
        }
        if (missing) {
            csv.append("gone,").append(prefix).append("ref.y4m,").append(prefix).append("missing.y4m,\n");
        }
        return Files.writeString(tmp.resolve(name), csv.toString());
    }

    private static List<Map<String, Object>> results(Path file) throws IOException {
        List<Map<String, Object>> all = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            all.add(JSON.std.mapFrom(line));
        }
        return all;
    }

    /** The summary CSV's rows as maps by header (no cell of these has a comma). */
    private static List<Map<String, String>> summary(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String> header = List.of(lines.get(0).split(",", -1));
        List<Map<String, String>> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] cells = l.split(",", -1);
            Map<String, String> m = new HashMap<>();
            for (int i = 0; i < header.size(); i++) {
                m.put(header.get(i), cells[i]);
            }
            rows.add(m);
        }
        return rows;
    }

    private static double vmafMean(Map<String, Object> result) {
        return ((Number) Node.at(result, "result.vmaf.mean")).doubleValue();
    }

    @Test
    void inProcessScoresEveryPairReportsTheFailureAndARerunSkipsWhatIsScored() throws Exception {
        NodeDirs dirs = dirs();
        Path pairs = pairs("ladder.csv", false, true);
        Node.Result r = Node.run(dirs.env(Map.of()), corpus, "batch", pairs.toString(), "--jobs", "2");
        assertEquals(1, r.exit(), () -> "a failed pair: exit 1: " + r);
        r.assertNoStackTrace();
        assertEquals(List.of("vmafx-node: " + pairs + " line 7 (gone): distorted: file not found: missing.y4m",
                "batch: 6 pairs: 6 scored now (1 failed), 0 skipped (scored before); results " + tmp.resolve("ladder.results.jsonl")
                        + ", summary " + tmp.resolve("ladder.summary.csv")), r.stderrLines(), r::toString);
        assertEquals("", r.stdout());

        List<Map<String, Object>> results = results(tmp.resolve("ladder.results.jsonl"));
        assertEquals(6, results.size());
        Map<String, Map<String, Object>> byPair = results.stream().collect(Collectors.toMap(m -> (String) m.get("pair"), m -> m));
        assertEquals("distorted: file not found: missing.y4m", byPair.get("gone").get("error"));
        // Each line holds what score --json prints for the pair.
        Map<String, Object> score = Node.run(dirs.env(Map.of()), corpus, "score", "--reference", "ref.y4m", "--distorted", "dis4.y4m",
                "--json").quietJson();
        assertEquals(((Number) Node.at(score, "vmaf.mean")).doubleValue(), vmafMean(byPair.get("x4")), 1e-9);
        assertEquals(Node.at(score, "vmaf.per_frame"), Node.at(byPair.get("x4"), "result.vmaf.per_frame"));
        // Coarser scaling, lower VMAF: the variants were not mixed up.
        List<Double> means = FACTORS.stream().map(f -> vmafMean(byPair.get("x" + f))).toList();
        for (int i = 1; i < means.size(); i++) {
            assertTrue(means.get(i) < means.get(i - 1), () -> "VMAF should fall with the scale factor: " + means);
        }

        List<Map<String, String>> rows = summary(tmp.resolve("ladder.summary.csv"));
        assertEquals(List.of("x2", "x3", "x4", "x6", "x8", "gone"), rows.stream().map(m -> m.get("pair")).toList(), "the file's order");
        assertEquals(String.format(java.util.Locale.ROOT, "%.6f", vmafMean(byPair.get("x4"))), rows.get(2).get("vmaf_mean"));
        assertFalse(rows.get(0).get("psnr_y_mean").isEmpty(), "the PSNR asked for: " + rows.get(0));
        assertEquals("", rows.get(1).get("psnr_y_mean"));
        assertEquals("25", rows.get(0).get("frames"));
        assertEquals("distorted: file not found: missing.y4m", rows.get(5).get("error"));

        // A rerun: the five scored pairs are skipped, the failed one is tried again.
        Node.Result again = Node.run(dirs.env(Map.of()), corpus, "batch", pairs.toString());
        assertEquals(1, again.exit(), again::toString);
        assertTrue(again.stderr().contains("6 pairs: 1 scored now (1 failed), 5 skipped (scored before)"), again::toString);
        assertEquals(7, Files.readAllLines(tmp.resolve("ladder.results.jsonl")).size(), "one new line, the failure's");

        // The missing file appears: the third run scores it alone and exits 0.
        Files.copy(corpus.resolve("dis3.y4m"), corpus.resolve("missing.y4m"));
        try {
            Node.Result third = Node.run(dirs.env(Map.of()), corpus, "batch", pairs.toString());
            assertEquals(0, third.exit(), third::toString);
            assertTrue(third.stderr().contains("6 pairs: 1 scored now (0 failed), 5 skipped (scored before)"), third::toString);
            assertEquals("", summary(tmp.resolve("ladder.summary.csv")).get(5).get("error"));
        } finally {
            Files.delete(corpus.resolve("missing.y4m"));
        }
        dirs.assertClean(Set.of());
    }

    @Test
    void aRunKilledMidwayIsContinuedByTheNext() throws Exception {
        NodeDirs dirs = dirs();
        Path pairs = pairs("killed.csv", false, false);
        Path results = tmp.resolve("killed.results.jsonl");
        try (Node.Running run = Node.start(dirs.env(Map.of()), corpus, "batch", pairs.toString(), "--jobs", "1")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((!Files.exists(results) || Files.readAllLines(results).isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            run.process().destroyForcibly(); // SIGKILL: no cleanup, no summary
            run.process().waitFor(10, TimeUnit.SECONDS);
        }
        long done = Files.readAllLines(results).stream().filter(l -> l.contains("\"result\"")).count();
        assertTrue(done >= 1 && done < FACTORS.size(), "killed after its first pair and before its last: " + done);
        Node.Result r = Node.run(dirs.env(Map.of()), corpus, "batch", pairs.toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.stderr().contains(FACTORS.size() + " pairs: " + (FACTORS.size() - done) + " scored now (0 failed), " + done
                + " skipped (scored before)"), r::toString);
        assertEquals(FACTORS.size(), summary(tmp.resolve("killed.summary.csv")).stream().filter(m -> !m.get("vmaf_mean").isEmpty()).count());
        dirs.assertClean(Set.of());
    }

    @Test
    void aMalformedRowStopsTheBatchBeforeAnyWorkNamingItsLineAndField() throws Exception {
        NodeDirs dirs = dirs();
        Path pairs = Files.writeString(tmp.resolve("bad.csv"), "reference,distorted,subsample\nref.y4m,dis2.y4m,\nref.y4m,dis3.y4m,often\n");
        String line = Node.run(dirs.env(Map.of()), corpus, "batch", pairs.toString()).failsWith(2);
        assertEquals("vmafx-node: " + pairs + " line 3: subsample: expected a whole number, got \"often\"", line);
        assertFalse(Files.exists(tmp.resolve("bad.results.jsonl")), "nothing was scored, nothing written");
        Path jsonl = Files.writeString(tmp.resolve("bad.jsonl"), "{\"reference_uri\":\"ref.y4m\",\"distorted_uri\":\"dis2.y4m\",\"scale\":\"blurry\"}\n");
        assertTrue(Node.run(dirs.env(Map.of()), corpus, "batch", jsonl.toString()).failsWith(2)
                .startsWith("vmafx-node: " + jsonl + " line 1: scale: unknown scaling 'blurry'"));
        assertEquals("vmafx-node: batch: a token on the command line is visible to every user of the machine; use --token-file FILE or VMAFX_NODE_TOKEN",
                Node.run(dirs.env(Map.of()), corpus, "batch", pairs.toString(), "--api", "http://127.0.0.1:9", "--token", "s3cret").failsWith(2));
        assertTrue(Node.run(dirs.env(Map.of()), corpus, "batch", pairs("ok.csv", false, false).toString(), "--api", "http://127.0.0.1:9")
                .failsWith(2).startsWith("vmafx-node: batch: --api http://127.0.0.1:9: no answer"));
    }

    @Test
    void throughServeTheResultsAreTheSameAndTheTokenComesFromAFile() throws Exception {
        NodeDirs dirs = dirs();
        String token = "batch-token-" + System.nanoTime();
        Path tokenFile = Files.writeString(tmp.resolve("token"), token + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        Path pairs = pairs("fleet.csv", true, true);
        try (ServeNode serve = ServeNode.start(dirs.env(Map.of("VMAFX_NODE_TOKEN", token, "VMAFX_API_LOCAL_ROOTS", corpus.toString(),
                "VMAFX_NODE_SLOTS", "2")))) {
            Node.Result wrong = Node.run(dirs.env(Map.of("VMAFX_NODE_TOKEN", "not-the-token")), tmp, "batch", pairs.toString(),
                    "--api", serve.url);
            assertEquals("vmafx-node: batch: --api " + serve.url + ": the fleet refused the request (401): the token (--token-file or "
                    + "VMAFX_NODE_TOKEN) is not the fleet's", wrong.failsWith(2));

            Node.Result r = Node.run(dirs.env(Map.of()), tmp, "batch", pairs.toString(), "--api", serve.url, "--token-file", tokenFile.toString());
            assertEquals(1, r.exit(), r::toString);
            assertFalse(r.stderr().contains(token), "the token is never printed");
            // The fleet's input policy looks for the file when the job is submitted: a 400, the pair's failure.
            assertTrue(r.stderr().contains("line 7 (gone): the fleet refused the job (400): distorted_uri: no file " + corpus
                    + "/missing.y4m that API jobs may read"), r::toString);
            List<Map<String, Object>> results = results(tmp.resolve("fleet.results.jsonl"));
            Map<String, Map<String, Object>> byPair = results.stream().collect(Collectors.toMap(m -> (String) m.get("pair"), m -> m));
            assertEquals(6, byPair.size());

            // The same pairs in this process: the same scores, and the same keys (the fleet was sent the full options).
            Path local = pairs("local.csv", true, false);
            assertEquals(0, Node.run(dirs.env(Map.of()), tmp, "batch", local.toString()).exit());
            for (Map<String, Object> l : results(tmp.resolve("local.results.jsonl"))) {
                Map<String, Object> f = byPair.get((String) l.get("pair"));
                assertEquals(l.get("key"), f.get("key"));
                assertEquals(vmafMean(l), vmafMean(f), 1e-9);
            }

            // A rerun through the fleet skips the five scored pairs.
            Node.Result again = Node.run(dirs.env(Map.of("VMAFX_NODE_TOKEN", token)), tmp, "batch", pairs.toString(), "--api", serve.url);
            assertTrue(again.stderr().contains("6 pairs: 1 scored now (1 failed), 5 skipped (scored before)"), again::toString);
            assertEquals(1, again.exit());
            Node.Result stopped = serve.terminate(60);
            assertEquals(0, stopped.exit(), stopped::toString);
        }
        dirs.assertClean(Set.of());
    }
}
