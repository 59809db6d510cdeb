package io.vmafx.core.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.vmafx.core.job.JobRequest;
import io.vmafx.core.score.ScoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results file as a batch's memory: what a rerun skips, a torn last line, a failure tried again. */
class ResultsFileTest {

    @TempDir
    Path dir;

    private static PairJob job(String distorted) {
        JobRequest r = new JobRequest("r.y4m", distorted, null, null, ScoreOptions.DEFAULTS);
        Map<String, Object> body = PairJob.body(r);
        return new PairJob(2, distorted, r, body, Integer.toHexString(distorted.hashCode()));
    }

    private static Map<String, Object> result(double mean) {
        return Map.of("vmaf", Map.of("mean", mean, "p5", mean - 2, "min", mean - 3, "per_frame", List.of(mean)),
                "metrics", Map.of("psnr_y", Map.of("mean", 30.5)), "frames", 25);
    }

    @Test
    void aRerunSkipsScoredPairsRetriesFailedOnesAndIgnoresATornLastLine() throws Exception {
        Path path = dir.resolve("r.jsonl");
        PairJob a = job("a.y4m");
        PairJob b = job("b.y4m");
        try (ResultsFile f = ResultsFile.open(path)) {
            assertFalse(f.scored(a.key()));
            f.append(a, result(80), null);
            f.append(b, null, "distorted: file not found: b.y4m");
        }
        // A run killed mid-write: half a line, no newline.
        Files.writeString(path, "{\"key\":\"c\",\"resu", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (ResultsFile f = ResultsFile.open(path)) {
            assertEquals(1, f.unreadable());
            assertTrue(f.scored(a.key()));
            assertFalse(f.scored(b.key()), "a failed pair is tried again");
            Summary s = f.summary(a.key());
            assertEquals(80.0, s.vmafMean());
            assertEquals(78.0, s.vmafP5());
            assertEquals(77.0, s.vmafMin());
            assertEquals(Map.of("psnr_y", 30.5), s.metricMeans());
            assertEquals(25L, s.frames());
            assertNull(s.error());
            assertEquals("distorted: file not found: b.y4m", f.summary(b.key()).error());
            f.append(b, result(60), null);
        }
        List<String> lines = Files.readAllLines(path);
        assertEquals(4, lines.size());
        assertEquals("{\"key\":\"c\",\"resu", lines.get(2), "the torn line is left as it was, the next result on a line of its own");
        Map<String, Object> last = JSON.std.mapFrom(lines.get(3));
        assertEquals(b.key(), last.get("key"));
        assertEquals("b.y4m", last.get("distorted_uri"));
        try (ResultsFile f = ResultsFile.open(path)) {
            assertTrue(f.scored(b.key()), "the later line supersedes the failure");
            assertEquals(60.0, f.summary(b.key()).vmafMean());
        }
    }

    @Test
    void summaryCellsAreQuotedAndFormulasDefused() {
        assertEquals("plain", SummaryCsv.cell("plain"));
        assertEquals("\"a,b\"", SummaryCsv.cell("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", SummaryCsv.cell("say \"hi\""));
        assertEquals("'=HYPERLINK(1)", SummaryCsv.cell("=HYPERLINK(1)"));
        assertEquals("-1.5", SummaryCsv.cell("-1.5"));
    }

    @Test
    void progressCountsDoneFailedSkippedAndEstimatesFromThisRunsRate() {
        long[] now = {0};
        BatchProgress p = new BatchProgress(null, 10, () -> now[0]);
        p.skipped();
        p.skipped();
        assertEquals("[####................] 2/10 pairs, 2 skipped, 0.00 pairs/s, ETA --", p.line());
        now[0] = 4_000_000_000L;
        p.ended(true);
        p.ended(false);
        assertEquals("[########............] 4/10 pairs, 1 failed, 2 skipped, 0.50 pairs/s, ETA 0m12s", p.line());
        assertEquals("2h05m", BatchProgress.duration(7500));
    }
}
