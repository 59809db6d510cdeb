package io.vmafx.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code vmafx-dist report}: for each image, its size on disk and how long {@code bin/vmafx-node providers} takes
 * from launch to its output, with the image's CDS archive and without it ({@code -Xshare:off}).
 *
 * <p>Size: every regular file rounded up to 4 KiB blocks, like {@code du} on ext4 (symlinks and directories not
 * counted), in MB (10^6 bytes) and MiB. Time: from starting the launcher to the first byte on its stdout
 * ("output") and to its exit, over {@code runs} runs after one warm-up run; p50 and p90 by nearest rank.
 */
final class Report {

    private Report() {
    }

    record Timing(long[] firstOutputMs, long[] exitMs) {
    }

    static void print(List<Path> images, int runs, PrintStream out) throws DistException, IOException, InterruptedException {
        out.printf(Locale.ROOT, "%-10s %9s %9s  %-14s %18s %18s%n", "image", "size MB", "size MiB", "CDS", "output p50/p90 ms", "exit p50/p90 ms");
        for (Path image : images) {
            Path launcher = image.resolve("bin/vmafx-node");
            if (!Files.isExecutable(launcher)) {
                throw new DistException(image + ": not a node image (no executable bin/vmafx-node)");
            }
            long bytes = diskBytes(image);
            boolean hasCds = Files.isRegularFile(image.resolve("lib/server/classes.jsa"));
            String name = image.getFileName().toString();
            for (boolean share : hasCds ? List.of(true, false) : List.of(false)) {
                Timing t = time(launcher, share ? null : "-Xshare:off", runs);
                out.printf(Locale.ROOT, "%-10s %9.1f %9.1f  %-14s %8d / %-7d %8d / %-7d%n", name, bytes / 1e6, bytes / 1048576.0,
                        share ? "on" : hasCds ? "off (-Xshare)" : "none in image",
                        pct(t.firstOutputMs(), 50), pct(t.firstOutputMs(), 90), pct(t.exitMs(), 50), pct(t.exitMs(), 90));
            }
        }
        out.printf(Locale.ROOT, "(%d runs of bin/vmafx-node providers each, after one warm-up; size: files in 4 KiB blocks)%n", runs);
    }

    /** The bytes the image's regular files take, each rounded up to 4 KiB blocks. */
    static long diskBytes(Path image) throws IOException {
        try (Stream<Path> all = Files.walk(image)) {
            long total = 0;
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    total += (Files.size(p) + 4095) / 4096 * 4096;
                }
            }
            return total;
        }
    }

    static Timing time(Path launcher, String javaOpts, int runs) throws DistException, IOException, InterruptedException {
        long[] first = new long[runs];
        long[] exit = new long[runs];
        for (int i = -1; i < runs; i++) {
            ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "providers").redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("VMAFX_"));
            if (javaOpts != null) {
                env.put("VMAFX_JAVA_OPTS", javaOpts);
            }
            long start = System.nanoTime();
            Process p = pb.start();
            long firstByte = -1;
            try (InputStream in = p.getInputStream()) {
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (n > 0 && firstByte < 0) {
                        firstByte = System.nanoTime();
                    }
                }
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                throw new DistException(launcher + " providers did not finish within 60 s");
            }
            long end = System.nanoTime();
            if (p.exitValue() != 0 || firstByte < 0) {
                throw new DistException(launcher + " providers failed (exit " + p.exitValue() + ")");
            }
            if (i >= 0) {
                first[i] = TimeUnit.NANOSECONDS.toMillis(firstByte - start);
                exit[i] = TimeUnit.NANOSECONDS.toMillis(end - start);
            }
        }
        return new Timing(first, exit);
    }

    /** The {@code p}-th percentile by nearest rank. */
    static long pct(long[] values, int p) {
        long[] v = values.clone();
        Arrays.sort(v);
        int rank = (int) Math.ceil(p / 100.0 * v.length);
        return v[Math.max(0, rank - 1)];
    }

    static List<Path> images(List<String> args) {
        List<Path> r = new ArrayList<>();
        args.forEach(a -> r.add(Path.of(a)));
        return r;
    }
}
