package io.vmafx.core.batch;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The batch's CSV summary: a header, then one row per pair in the pairs file's order: {@code pair, reference_uri,
 * distorted_uri, vmaf_mean, vmaf_p5, vmaf_min}, {@code <metric>_mean} for every other metric any row asked for,
 * {@code frames, error}. Written to a temporary file beside the target and moved over it, so a reader never sees half
 * of one.
 */
final class SummaryCsv implements AutoCloseable {

    private final Path target;
    private final Path temp;
    private final BufferedWriter out;
    private final List<String> metrics;

    SummaryCsv(Path target, List<String> metrics) throws IOException {
        this.target = target;
        this.metrics = List.copyOf(metrics);
        Path dir = target.toAbsolutePath().getParent();
        this.temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        this.out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8);
        List<String> header = new ArrayList<>(List.of("pair", "reference_uri", "distorted_uri", "vmaf_mean", "vmaf_p5", "vmaf_min"));
        metrics.forEach(m -> header.add(m + "_mean"));
        header.add("frames");
        header.add("error");
        row(header);
    }

    /** The row of one pair; {@code s} null: not scored (the run was interrupted before it). */
    void add(PairJob job, Summary s) throws IOException {
        List<String> cells = new ArrayList<>(List.of(job.pair(), job.request().reference(), job.request().distorted()));
        cells.add(s == null ? "" : number(s.vmafMean()));
        cells.add(s == null ? "" : number(s.vmafP5()));
        cells.add(s == null ? "" : number(s.vmafMin()));
        for (String m : metrics) {
            cells.add(s == null ? "" : number(s.metricMeans().get(m)));
        }
        cells.add(s == null || s.frames() == null ? "" : Long.toString(s.frames()));
        cells.add(s == null ? "not scored (interrupted)" : s.error() == null ? "" : s.error());
        row(cells);
    }

    private static String number(Double d) {
        return d == null ? "" : String.format(Locale.ROOT, "%.6f", d);
    }

    private void row(List<String> cells) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(cell(cells.get(i)));
        }
        out.write(b.append("\r\n").toString());
    }

    /**
     * A cell, quoted where it must be; a cell a spreadsheet would run as a formula ({@code =}, {@code +}, {@code -},
     * {@code @} first: an input's name or an error can be anything) gets a leading apostrophe, numbers excepted.
     */
    static String cell(String s) {
        String v = s;
        if (!v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0 && !v.matches("[-+]?[0-9.]+")) {
            v = "'" + v;
        }
        if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
            return "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    /** Finishes the file and moves it into place. */
    void commit() throws IOException {
        out.close();
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Removes the temporary file if {@link #commit} did not happen. */
    @Override
    public void close() throws IOException {
        out.close();
        Files.deleteIfExists(temp);
    }
}
