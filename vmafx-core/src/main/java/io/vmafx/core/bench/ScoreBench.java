package io.vmafx.core.bench;

import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.job.JobException;
import io.vmafx.core.job.JobRequest;
import io.vmafx.core.job.JobResult;
import io.vmafx.core.node.Node;
import io.vmafx.core.score.ProgressListener;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench score}: what the node's scoring costs beside the bare tool. For each size (360p, 720p, 1080p) it
 * makes a reference clip and a degraded copy, then scores the pair, alternating, with the node (a whole local job:
 * URI parsing, the probe, the scoring run, the checks of the counts and the log) and with the bare
 * ffprobe/libvmaf command a user would type ({@code movie=...[d];movie=...[r];[d][r]libvmaf[out0]}, frames
 * counted), both with the node's libvmaf thread count. Prints fps (frames / median wall time) of each and the ratio
 * node / bare time; the target is at most 1.05 at 1080p.
 */
public final class ScoreBench {

    /** The sizes measured. */
    public static final List<Clips.Size> SIZES = List.of(new Clips.Size(640, 360), new Clips.Size(1280, 720),
            new Clips.Size(1920, 1080));
    /** The target ratio node / bare at 1080p. */
    public static final double TARGET = 1.05;

    /** @param runs timed runs per scorer and size; @param seconds clip length (25 frames a second) */
    public record Options(int runs, int seconds) {
        public Options {
            if (runs < 1 || runs > 100) {
                throw new IllegalArgumentException("--runs must be from 1 to 100, got " + runs);
            }
            if (seconds < 1 || seconds > 60) {
                throw new IllegalArgumentException("--seconds must be from 1 to 60, got " + seconds);
            }
        }
    }

    /** One size's figures: median milliseconds of each and the VMAF both gave. */
    public record Row(Clips.Size size, int frames, double nodeMillis, double bareMillis, double nodeVmaf, double bareVmaf) {
        public double ratio() {
            return nodeMillis / bareMillis;
        }

        double fps(double millis) {
            return frames / (millis / 1000.0);
        }
    }

    private final Node node;
    private final Options options;
    private final BenchProgress progress;

    public ScoreBench(Node node, Options options, BenchProgress progress) {
        this.node = node;
        this.options = options;
        this.progress = progress;
    }

    /** Runs every size; the scratch directory goes on every way out. */
    public List<Row> run() throws IOException, InterruptedException, JobException {
        Path dir = Files.createTempDirectory("vmafx-bench-score-");
        try {
            List<Row> rows = new ArrayList<>();
            for (Clips.Size size : SIZES) {
                rows.add(measure(dir, size));
            }
            return rows;
        } finally {
            deleteTree(dir);
        }
    }

    private Row measure(Path dir, Clips.Size size) throws IOException, InterruptedException, JobException {
        Path ref = dir.resolve("ref-" + size + ".y4m");
        Path dis = dir.resolve("dis-" + size + ".y4m");
        progress.step("making a " + options.seconds() + " s " + size + " pair");
        Clips.make(ref, dis, size, options.seconds());
        int frames = Clips.FPS * options.seconds();
        NodeConfig config = node.config();
        List<Double> nodeTimes = new ArrayList<>();
        List<Double> bareTimes = new ArrayList<>();
        double nodeVmaf = 0;
        double bareVmaf = 0;
        for (int i = 0; i <= options.runs(); i++) {
            progress.step(String.format(Locale.ROOT, "%s run %d of %d", size, i, options.runs()));
            long t0 = System.nanoTime();
            JobResult r = node.executor().run(JobRequest.of(ref.toString(), dis.toString()), ProgressListener.NONE);
            long t1 = System.nanoTime();
            bareVmaf = bare(config.ffprobe(), config.scoreThreads(), ref, dis, dir);
            long t2 = System.nanoTime();
            nodeVmaf = r.scores().mean();
            if (i > 0) { // the first round warms the page cache and the JIT
                nodeTimes.add((t1 - t0) / 1e6);
                bareTimes.add((t2 - t1) / 1e6);
            }
        }
        return new Row(size, frames, median(nodeTimes), median(bareTimes), nodeVmaf, bareVmaf);
    }

    /** The bare command; returns its pooled VMAF from its log. */
    private static double bare(String ffprobe, int threads, Path ref, Path dis, Path dir)
            throws IOException, InterruptedException {
        Path log = dir.resolve("bare.json");
        String graph = "movie=" + dis + ",settb=1,setpts=N[d];movie=" + ref + ",settb=1,setpts=N[r];[d][r]libvmaf="
                + "log_fmt=json:log_path=" + log + ":n_threads=" + threads + "[out0]";
        Process p = new ProcessBuilder(ffprobe, "-hide_banner", "-v", "error", "-f", "lavfi", "-i", graph,
                "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException("the bare ffprobe command failed (exit " + (p.isAlive() ? "none" : p.exitValue()) + ")");
            }
        } finally {
            p.destroyForcibly();
        }
        String json = Files.readString(log);
        int at = json.indexOf("\"vmaf\"", json.indexOf("\"pooled_metrics\""));
        int mean = json.indexOf("\"mean\":", at) + 7;
        return Double.parseDouble(json.substring(mean, json.indexOf(',', mean)).trim());
    }

    private static double median(List<Double> values) {
        return Percentiles.of(values.stream().mapToDouble(Double::doubleValue).toArray(), 50);
    }

    /** The table, then the ratio at 1080p against the target. */
    public static String text(List<Row> rows, Options options, int threads) {
        TextTable t = new TextTable(List.of("size", "frames", "node ms", "bare ms", "node fps", "bare fps", "node/bare",
                "VMAF node", "VMAF bare"), List.of(TextTable.Align.LEFT, TextTable.Align.RIGHT, TextTable.Align.RIGHT,
                TextTable.Align.RIGHT, TextTable.Align.RIGHT, TextTable.Align.RIGHT, TextTable.Align.RIGHT,
                TextTable.Align.RIGHT, TextTable.Align.RIGHT));
        for (Row r : rows) {
            t.row(r.size().toString(), Integer.toString(r.frames()), fmt(r.nodeMillis(), 1), fmt(r.bareMillis(), 1),
                    fmt(r.fps(r.nodeMillis()), 1), fmt(r.fps(r.bareMillis()), 1), fmt(r.ratio(), 3),
                    fmt(r.nodeVmaf(), 4), fmt(r.bareVmaf(), 4));
        }
        Row last = rows.get(rows.size() - 1);
        return "scoring: the node's whole local job against the bare ffprobe/libvmaf command, " + options.runs()
                + " runs each (medians), libvmaf threads " + threads + "\n" + t.render()
                + String.format(Locale.ROOT, "node/bare at %s: %.3f (target <= %.2f): %s%n", last.size(), last.ratio(),
                TARGET, last.ratio() <= TARGET ? "met" : "NOT met");
    }

    /** The figures as JSON. */
    public static Map<String, Object> json(List<Row> rows) {
        List<Object> list = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("size", r.size().toString());
            m.put("frames", r.frames());
            m.put("node_ms", r.nodeMillis());
            m.put("bare_ms", r.bareMillis());
            m.put("ratio", r.ratio());
            m.put("node_vmaf", r.nodeVmaf());
            m.put("bare_vmaf", r.bareVmaf());
            list.add(m);
        }
        return Map.of("rows", list, "target", TARGET);
    }

    private static String fmt(double v, int places) {
        return String.format(Locale.ROOT, "%." + places + "f", v);
    }

    private static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
