package io.vmafx.dist;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * vmafx-dist's command line. Exit codes: 0 done, 1 a step failed (jlink, I/O), 2 a bad command line or input.
 * Every failure is one line on stderr: {@code vmafx-dist: <what> <why>}.
 */
public final class Main {

    static final String USAGE = """
            usage: vmafx-dist <command> ...
              assemble [options] SET...   build the runtime image of each SET and its .tar.gz (+ .sha256)
                  SET: full, minimal, or modules joined by commas, e.g. vmafx-core,storage-local,storage-fuse
                  --modules-dir DIR  the node's module jars (default <home>/target/modules)
                  --images DIR       where images go, one directory per set (default <home>/target/images)
                  --dist DIR         where archives go (default <home>/target/dist)
                  --name NAME        the image's name for a single SET (default: full, minimal or custom)
                  --version V        in archive names (default: io.vmafx.core's module version)
                  --mtime T          every archive entry's time, ISO-8601 or epoch seconds
                                     (default SOURCE_DATE_EPOCH, else 2026-01-01T00:00:00Z)
                  --jdk DIR          the JDK whose jlink and jmods are used (default: the one running this)
                  --no-cds           no class data sharing archive in the image
                  --no-strip         native libraries not stripped
              check SET...                 only check that each SET is a node that can work; print its modules
              archive [--mtime T] [--prefix NAME] DIR FILE.tar.gz
                                           write DIR as a reproducible FILE.tar.gz (+ FILE.tar.gz.sha256)
              report [--runs N] IMAGE...   size on disk and launch-to-output time of each image (default 10 runs)
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args.length == 0 || Set.of("-h", "--help", "help").contains(args[0])) {
                (args.length == 0 ? err : out).print(USAGE);
                return args.length == 0 ? 2 : 0;
            }
            List<String> rest = List.of(args).subList(1, args.length);
            switch (args[0]) {
                case "assemble" -> assemble(rest, out);
                case "check" -> check(rest, out);
                case "archive" -> archive(rest, out);
                case "report" -> report(rest, out);
                default -> throw new DistException("unknown command '" + args[0] + "' (assemble, check, archive, report; --help)");
            }
            return 0;
        } catch (DistException e) {
            err.println("vmafx-dist: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("vmafx-dist: " + ImageBuilder.oneLine(String.valueOf(e)));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("vmafx-dist: interrupted");
            return 130;
        }
    }

    /** Options (each with one value, or a flag in {@code flags}) and the positional arguments. */
    private record Args(Map<String, String> options, List<String> positional) {
        static Args parse(List<String> args, Set<String> valued, Set<String> flags) throws DistException {
            Map<String, String> options = new LinkedHashMap<>();
            List<String> positional = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.startsWith("--")) {
                    String key = a;
                    String value = null;
                    int eq = a.indexOf('=');
                    if (eq > 0) {
                        key = a.substring(0, eq);
                        value = a.substring(eq + 1);
                    }
                    if (flags.contains(key) && value == null) {
                        options.put(key, "true");
                    } else if (valued.contains(key)) {
                        if (value == null) {
                            if (i + 1 >= args.size()) {
                                throw new DistException(key + " needs a value");
                            }
                            value = args.get(++i);
                        }
                        options.put(key, value);
                    } else {
                        throw new DistException("unknown option " + key);
                    }
                } else {
                    positional.add(a);
                }
            }
            return new Args(options, positional);
        }

        String get(String key, String fallback) {
            return options.getOrDefault(key, fallback);
        }
    }

    /** Where vmafx-dist's defaults point: {@code -Dvmafx.dist.home} (distribution/), else the working directory. */
    private static Path home() {
        return Path.of(System.getProperty("vmafx.dist.home", ".")).toAbsolutePath().normalize();
    }

    private static void assemble(List<String> raw, PrintStream out) throws DistException, IOException, InterruptedException {
        Args a = Args.parse(raw, Set.of("--modules-dir", "--images", "--dist", "--name", "--version", "--mtime", "--jdk"),
                Set.of("--no-cds", "--no-strip"));
        if (a.positional().isEmpty()) {
            throw new DistException("assemble needs at least one SET (full, minimal, or modules joined by commas)");
        }
        if (a.options().containsKey("--name") && a.positional().size() > 1) {
            throw new DistException("--name names one image, but " + a.positional().size() + " SETs were given");
        }
        List<ModuleSet> sets = new ArrayList<>();
        for (String spec : a.positional()) {
            sets.add(ModuleSet.parse(spec));
        }
        Instant mtime = mtime(a.get("--mtime", null));
        Path modulesDir = Path.of(a.get("--modules-dir", home().resolve("target/modules").toString())).toAbsolutePath().normalize();
        Path images = Path.of(a.get("--images", home().resolve("target/images").toString())).toAbsolutePath().normalize();
        Path dist = Path.of(a.get("--dist", home().resolve("target/dist").toString())).toAbsolutePath().normalize();
        Path jdk = Path.of(a.get("--jdk", System.getProperty("java.home"))).toAbsolutePath().normalize();
        ImageBuilder builder = new ImageBuilder(jdk, modulesDir, !a.options().containsKey("--no-cds"),
                !a.options().containsKey("--no-strip"));
        Map<String, ModuleSet> byName = new LinkedHashMap<>();
        for (ModuleSet set : sets) {
            String name = a.get("--name", set.name());
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new DistException("--name '" + name + "': letters, digits, '.', '_' and '-' only");
            }
            if (byName.put(name, set) != null) {
                throw new DistException("two SETs would both be the image '" + name + "': give one of them with --name");
            }
            builder.resolve(set); // every set checked before any is built
        }
        String version = a.get("--version", null);
        if (version == null) {
            version = coreVersion(modulesDir);
        }
        if (!version.matches("[A-Za-z0-9][A-Za-z0-9._+-]*")) {
            throw new DistException("--version '" + version + "': letters, digits, '.', '_', '+' and '-' only");
        }
        // One image per core at a time: jlink, strip and the CDS dump are mostly single-threaded.
        String v = version;
        int threads = Math.max(1, Math.min(byName.size(), Runtime.getRuntime().availableProcessors()));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<String>> done = new ArrayList<>();
            for (Map.Entry<String, ModuleSet> e : byName.entrySet()) {
                done.add(pool.submit(() -> assembleOne(builder, e.getValue(), e.getKey(), images, dist, v, mtime)));
            }
            for (java.util.concurrent.Future<String> f : done) {
                try {
                    out.print(f.get());
                } catch (java.util.concurrent.ExecutionException x) {
                    if (x.getCause() instanceof DistException d) {
                        throw d;
                    }
                    if (x.getCause() instanceof IOException io) {
                        throw io;
                    }
                    if (x.getCause() instanceof InterruptedException i) {
                        throw i;
                    }
                    throw new IllegalStateException(x.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
        }
    }

    /**
     * Builds one image and writes its archive, unless both are up to date: an archive newer than its image's record
     * whose first entry is {@code prefix/} at {@code mtime} and whose .sha256 matches it was written from that image.
     * Returns what it did, as lines.
     */
    private static String assembleOne(ImageBuilder builder, ModuleSet set, String name, Path images, Path dist, String version,
                                      Instant mtime) throws DistException, IOException, InterruptedException {
        java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream();
        PrintStream out = new PrintStream(lines, true, java.nio.charset.StandardCharsets.UTF_8);
        Path image = builder.build(set, name, images, out);
        String prefix = "vmafx-node-" + name + "-" + version;
        Path archive = dist.resolve(prefix + ".tar.gz");
        if (TarGz.isUpToDate(archive, image.resolve(ImageBuilder.RECORD), prefix, mtime)) {
            out.println("vmafx-dist: " + archive + " is up to date");
        } else {
            long start = System.nanoTime();
            String sha = TarGz.write(image, prefix, mtime, archive);
            out.printf("vmafx-dist: %s (sha256 %s) written in %.1f s%n", archive, sha, (System.nanoTime() - start) / 1e9);
        }
        return lines.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void check(List<String> raw, PrintStream out) throws DistException {
        Args a = Args.parse(raw, Set.of(), Set.of());
        if (a.positional().isEmpty()) {
            throw new DistException("check needs at least one SET (full, minimal, or modules joined by commas)");
        }
        List<String> lines = new ArrayList<>();
        for (String spec : a.positional()) {
            ModuleSet s = ModuleSet.parse(spec);
            lines.add(s.name() + ": " + String.join(",", s.modules()) + " (jlink --add-modules " + String.join(",", s.roots()) + ")");
        }
        lines.forEach(out::println);
    }

    private static void archive(List<String> raw, PrintStream out) throws DistException, IOException {
        Args a = Args.parse(raw, Set.of("--mtime", "--prefix"), Set.of());
        if (a.positional().size() != 2) {
            throw new DistException("archive needs DIR and FILE.tar.gz, got " + a.positional().size() + " arguments");
        }
        Path tree = Path.of(a.positional().get(0)).toAbsolutePath().normalize();
        Path file = Path.of(a.positional().get(1)).toAbsolutePath().normalize();
        if (!file.getFileName().toString().endsWith(".tar.gz")) {
            throw new DistException(a.positional().get(1) + ": the archive's name must end with .tar.gz");
        }
        String prefix = a.get("--prefix", file.getFileName().toString().replaceFirst("\\.tar\\.gz$", ""));
        if (prefix.isEmpty() || prefix.contains("/") || prefix.equals(".") || prefix.equals("..")) {
            throw new DistException("--prefix '" + prefix + "': one directory name");
        }
        if (file.startsWith(tree)) {
            throw new DistException(a.positional().get(1) + ": the archive cannot be inside the directory it archives");
        }
        String sha = TarGz.write(tree, prefix, mtime(a.get("--mtime", null)), file);
        out.println(sha + "  " + file);
    }

    private static void report(List<String> raw, PrintStream out) throws DistException, IOException, InterruptedException {
        Args a = Args.parse(raw, Set.of("--runs"), Set.of());
        int runs;
        try {
            runs = Integer.parseInt(a.get("--runs", "10"));
        } catch (NumberFormatException e) {
            throw new DistException("--runs '" + a.get("--runs", "") + "': expected a whole number from 1 to 1000");
        }
        if (runs < 1 || runs > 1000) {
            throw new DistException("--runs '" + runs + "': expected a whole number from 1 to 1000");
        }
        List<String> images = a.positional().isEmpty()
                ? List.of(home().resolve("target/images/full").toString(), home().resolve("target/images/minimal").toString())
                : a.positional();
        Report.print(Report.images(images), runs, out);
    }

    /** {@code --mtime}: ISO-8601 instant or epoch seconds; default {@code SOURCE_DATE_EPOCH}, else 2026-01-01T00:00:00Z. */
    static Instant mtime(String value) throws DistException {
        String what = "--mtime";
        if (value == null) {
            value = System.getenv("SOURCE_DATE_EPOCH");
            what = "SOURCE_DATE_EPOCH";
            if (value == null || value.isBlank()) {
                return Instant.parse("2026-01-01T00:00:00Z");
            }
        }
        try {
            Instant t = value.matches("\\d{1,11}") ? Instant.ofEpochSecond(Long.parseLong(value)) : Instant.parse(value);
            if (t.getNano() != 0 || t.isBefore(Instant.EPOCH)) {
                throw new DistException(what + " '" + value + "': whole seconds after 1970 only");
            }
            return t;
        } catch (DateTimeParseException e) {
            throw new DistException(what + " '" + value + "': expected an ISO-8601 time such as 2026-01-01T00:00:00Z or epoch seconds");
        }
    }

    private static String coreVersion(Path modulesDir) throws DistException {
        return java.lang.module.ModuleFinder.of(modulesDir).find("io.vmafx.core")
                .flatMap(m -> m.descriptor().rawVersion())
                .orElseThrow(() -> new DistException("--version not given and io.vmafx.core in " + modulesDir + " has no module version"));
    }
}
