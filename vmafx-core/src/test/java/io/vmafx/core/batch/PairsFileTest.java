package io.vmafx.core.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.core.score.ScoreOptions;
import io.vmafx.core.score.VmafModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pairs files read row by row, checked by the job API's reader, and each row's key. */
class PairsFileTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private List<PairJob> jobs(Path file) throws BadPairsFile {
        List<PairJob> jobs = new ArrayList<>();
        try (PairsFile f = PairsFile.open(file)) {
            PairsFile.Row row;
            while ((row = f.next()) != null) {
                jobs.add(PairJob.of(row, f.name(), ScoreOptions.DEFAULTS, n -> VmafModel.parse(n, null, true)));
            }
        }
        return jobs;
    }

    private String badRow(String name, String text) throws IOException {
        Path f = write(name, text);
        return assertThrows(BadPairsFile.class, () -> jobs(f)).getMessage();
    }

    @Test
    void csvTakesTheApisNamesAndTheCommandLinesQuotedCellsAndEmptyCells() throws Exception {
        Path f = write("p.csv", "\uFEFFpair,reference,distorted_uri,width,height,pix-fmt,feature,subsample,common_frames\r\n"
                + "a,\"dir, with comma/r.yuv\",d.yuv,64,48,yuv420p,\"psnr,float_ssim\",2,yes\r\n"
                + "\n"
                + ",r.y4m,\"say \"\"hi\"\".y4m\",,,,,,\n");
        List<PairJob> jobs = jobs(f);
        assertEquals(2, jobs.size());
        PairJob a = jobs.get(0);
        assertEquals(2, a.line());
        assertEquals("a", a.pair());
        assertEquals("dir, with comma/r.yuv", a.request().reference());
        assertEquals(64, a.request().referenceRaw().width());
        assertEquals(a.request().referenceRaw(), a.request().distortedRaw());
        assertEquals(List.of("psnr_y", "psnr_cb", "psnr_cr", "float_ssim"), a.request().options().metricNames().subList(1, 5));
        assertEquals(2, a.request().options().subsample());
        assertTrue(a.request().options().commonFrames());
        PairJob b = jobs.get(1);
        assertEquals(4, b.line(), "the blank line counts");
        assertEquals("say \"hi\".y4m", b.request().distorted());
        assertEquals("say \"hi\".y4m", b.pair(), "no pair column: the distorted input names the row");
        assertNull(b.request().referenceRaw());
        assertEquals(ScoreOptions.DEFAULTS, b.request().options());
    }

    @Test
    void jsonlIsReadByTheJobApisReaderWithPairBeside() throws Exception {
        Path f = write("p.jsonl", "{\"pair\":\"x\",\"reference_uri\":\"r.y4m\",\"distorted_uri\":\"d.y4m\",\"features\":[\"psnr\"]}\n\n"
                + "{\"reference_uri\":\"r.y4m\",\"distorted_uri\":\"e.y4m\",\"model\":\"vmaf_v0.6.1,vmaf_v0.6.1neg\"}\n");
        List<PairJob> jobs = jobs(f);
        assertEquals(List.of(1L, 3L), jobs.stream().map(PairJob::line).toList());
        assertEquals("x", jobs.get(0).pair());
        assertEquals(2, jobs.get(1).request().options().models().size());
    }

    @Test
    void aMalformedRowNamesTheFileItsLineAndItsField() throws Exception {
        String head = "reference,distorted,width,height,pix_fmt,subsample\n";
        assertEquals(dir.resolve("a.csv") + " line 3: width: expected a whole number, got \"wide\"",
                badRow("a.csv", head + "r,d,,,,\nr,d,wide,48,yuv420p,\n"));
        assertEquals(dir.resolve("b.csv") + " line 2: pix_fmt: raw video needs all of width, height and pix_fmt",
                badRow("b.csv", head + "r,d,64,48,,\n"));
        assertTrue(badRow("c.csv", head + "r,d,,,,0\n").startsWith(dir.resolve("c.csv") + " line 2: subsample: expected a whole number from 1"));
        assertTrue(badRow("d.csv", head + "r,d,,,\n").endsWith("line 2: 5 cells, but the header has 6"));
        assertTrue(badRow("e.csv", "reference,distorted,colour\nr,d,red\n").contains("line 1: unknown column 'colour'"));
        assertTrue(badRow("f.csv", "reference,distorted_uri,distorted\n").endsWith("line 1: column 'distorted' names distorted_uri a second time"));
        assertTrue(badRow("g.csv", "reference,width\n").endsWith("line 1: the header has no distorted_uri (or distorted) column"));
        assertTrue(badRow("h.csv", "reference,distorted\n\"r,d\n").endsWith("line 2: a quoted cell is not closed before the end of the file"));
        assertTrue(badRow("i.csv", "reference,distorted\nr,\"d\"x\n").contains("line 2: text after a quoted cell's closing quote"));
        assertTrue(badRow("j.csv", "reference,distorted,feature\nr,d,colour\n").contains("line 2: features: unknown"));
        assertTrue(badRow("k.csv", "reference,distorted\n,d\n").endsWith("line 2: reference_uri: required"));
        assertTrue(badRow("l.jsonl", "{\"reference_uri\":\"r\",\"distorted_uri\":\"d\"}\n{\"reference_uri\":\"r\",\"distorted_uri\":\"d\",\"width\":\"64\"}\n")
                .endsWith("l.jsonl line 2: width: expected a whole number, got \"64\""));
        assertTrue(badRow("m.jsonl", "{\"reference_uri\":\"r\",\n").contains("m.jsonl line 1: the line is not valid JSON"));
        assertTrue(badRow("n.jsonl", "{\"reference_uri\":\"r\",\"distorted_uri\":\"d\",\"pair\":7}\n").endsWith("line 1: pair: expected a string, got 7"));
        assertTrue(badRow("o.jsonl", "{\"reference_uri\":\"r\",\"distorted_uri\":\"d\",\"colour\":1}\n").contains("line 1: unknown field 'colour'"));
        assertTrue(badRow("p.txt", "").endsWith("a pairs file is .csv (with a header row) or .jsonl (one JSON object a line)"));
        Files.write(dir.resolve("q.csv"), new byte[] {'r', ',', 'd', '\n', (byte) 0xC3, '(', ',', 'd', '\n'});
        assertTrue(assertThrows(BadPairsFile.class, () -> jobs(dir.resolve("q.csv"))).getMessage().endsWith("not UTF-8 text"));
    }

    @Test
    void aRecordLongerThanTheBoundIsRefusedNotReadWhole() throws Exception {
        String huge = "x".repeat(CsvRecords.MAX_RECORD + 10);
        assertTrue(badRow("a.csv", "reference,distorted\nr," + huge + "\nr,d\n").endsWith("line 2: the record is longer than 65536 characters"));
        assertTrue(badRow("b.jsonl", "{}" + huge + "\n").endsWith("line 1: the line is longer than 65536 characters"));
    }

    @Test
    void theKeyIsTheSameHoweverTheRowSaysItAndChangesWithAnyInputOrOption() throws Exception {
        Path f = write("k.csv", "pair,reference,distorted,feature,subsample,scale,model\n"
                + "a,r.y4m,d.y4m,psnr,,,\n"
                + "b,r.y4m,d.y4m,PSNR,1,bicubic,vmaf_v0.6.1\n"
                + "c,r.y4m,d.y4m,psnr,2,,\n"
                + "d,r.y4m,d2.y4m,psnr,,,\n"
                + "e,r.y4m,d.y4m,,,,\n"
                + "f,r.y4m,d.y4m,psnr,,lanczos,\n"
                + "g,r.y4m,d.y4m,psnr,,,vmaf_v0.6.1neg\n");
        List<String> keys = jobs(f).stream().map(PairJob::key).toList();
        Path j = write("k.jsonl", "{\"pair\":\"other name\",\"reference_uri\":\"r.y4m\",\"distorted_uri\":\"d.y4m\",\"features\":[\"psnr\"]}\n");
        assertEquals(keys.get(0), keys.get(1), "defaults written out or left out, case: the same job");
        assertEquals(keys.get(0), jobs(j).get(0).key(), "the same job from JSONL, whatever its name");
        assertEquals(5, keys.subList(2, 7).stream().distinct().count());
        keys.subList(2, 7).forEach(k -> assertNotEquals(keys.get(0), k));
        assertTrue(keys.get(0).matches("[0-9a-f]{64}"));
        assertEquals(Map.of("reference_uri", "r.y4m", "distorted_uri", "d.y4m", "model", List.of("vmaf_v0.6.1"),
                "features", List.of("psnr"), "subsample", 1, "scale", "bicubic", "common_frames", false), jobs(f).get(0).body());
    }
}
