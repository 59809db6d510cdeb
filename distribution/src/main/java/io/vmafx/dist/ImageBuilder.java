package io.vmafx.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.lang.module.ResolvedModule;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Builds the runtime image of one node distribution in {@code <images>/<name>/}:
 *
 * <ol>
 *   <li>the set's modules and what they require, resolved from the modules directory (explicit modules only) and
 *       the JDK, linked by {@code jlink} ({@code --strip-debug --no-header-files --no-man-pages --compress=2}; no
 *       {@code --bind-services}, so only the JDK modules the node requires go in);
 *   <li>{@code bin/vmafx-node}, the launcher; an empty {@code plugins/}; {@code conf/rclone.conf.sample} and
 *       {@code conf/vmafx-node.env} beside the JDK's own configuration; the libraries' licence files in
 *       {@code legal/<module>/} beside the JDK's;
 *   <li>optionally the native libraries stripped ({@code strip --strip-unneeded}: symbol tables only a debugger
 *       reads) and a class data sharing archive of the JDK and node classes {@code providers} loads, as the image's
 *       default archive ({@code lib/server/classes.jsa}, used without any option);
 *   <li>{@code lib/vmafx-image.txt}: what it was built from. An image whose record matches its inputs is kept.
 * </ol>
 */
final class ImageBuilder {

    static final String MAIN = "io.vmafx.core/io.vmafx.core.cli.Main";
    static final String RECORD = "lib/vmafx-image.txt";

    private final Path jdk;
    private final Path modulesDir;
    private final boolean cds;
    private final boolean strip;

    ImageBuilder(Path jdk, Path modulesDir, boolean cds, boolean strip) {
        this.jdk = jdk;
        this.modulesDir = modulesDir;
        this.cds = cds;
        this.strip = strip;
    }

    /** The resolved modules of a set that live in the modules directory: module name to jar. */
    Map<String, Path> resolve(ModuleSet set) throws DistException {
        if (!Files.isDirectory(modulesDir)) {
            throw new DistException("--modules-dir " + modulesDir + ": not a directory (build it with mvn package)");
        }
        ModuleFinder own;
        try {
            own = ModuleFinder.of(modulesDir);
            own.findAll();
        } catch (FindException e) {
            throw new DistException("--modules-dir " + modulesDir + ": " + oneLine(e.getMessage()));
        }
        for (String project : set.modules()) {
            String module = ModuleSet.CATALOGUE.get(project);
            if (own.find(module).isEmpty()) {
                throw new DistException("--modules-dir " + modulesDir + ": no module " + module + " (" + project + ") in it");
            }
        }
        Configuration cf;
        try {
            cf = Configuration.empty().resolve(ModuleFinder.compose(own, ModuleFinder.ofSystem()), ModuleFinder.of(), set.roots());
        } catch (FindException | ResolutionException e) {
            throw new DistException("module set " + String.join(",", set.modules()) + " does not resolve: " + oneLine(e.getMessage()));
        }
        Map<String, Path> jars = new TreeMap<>();
        for (ResolvedModule m : cf.modules()) {
            ModuleReference ref = m.reference();
            Optional<Path> location = ref.location().filter(u -> u.getScheme().equals("file")).map(Path::of);
            if (location.isEmpty() || !location.get().startsWith(modulesDir.toAbsolutePath())
                    && !location.get().startsWith(modulesDir)) {
                continue; // a JDK module
            }
            if (ref.descriptor().isAutomatic()) {
                throw new DistException(location.get() + " is an automatic module (no module-info.class): only explicit modules go into a node image");
            }
            if (m.name().startsWith("org.apache.commons.")) {
                throw new DistException(location.get() + " (" + m.name() + ") is a build tool's library: it must not go into a node image");
            }
            jars.put(m.name(), location.get());
        }
        return jars;
    }

    /** Builds (or keeps, when up to date) the image of {@code set} at {@code <images>/<name>}; returns it. */
    Path build(ModuleSet set, String name, Path images, PrintStream log) throws DistException, IOException, InterruptedException {
        Path jlink = jdk.resolve("bin/jlink");
        if (!Files.isExecutable(jlink) || !Files.isRegularFile(jdk.resolve("jmods/java.base.jmod"))) {
            throw new DistException("--jdk " + jdk + ": no bin/jlink and jmods/java.base.jmod there (a full JDK with jmods is needed)");
        }
        Map<String, Path> jars = resolve(set);
        String record = record(set, jars);
        Path image = images.resolve(name);
        Path recordFile = image.resolve(RECORD);
        if (Files.isRegularFile(recordFile) && Files.readString(recordFile, StandardCharsets.UTF_8).equals(record)
                && Files.isExecutable(image.resolve("bin/vmafx-node"))) {
            log.println("vmafx-dist: image " + name + " is up to date: " + image);
            return image;
        }
        if (Files.exists(image, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(recordFile) && !isEmptyDir(image)) {
            throw new DistException("refusing to replace " + image + ": it is not a vmafx-node image (no " + RECORD + ")");
        }
        long start = System.nanoTime();
        Files.createDirectories(images);
        Path work = images.resolve("." + name + ".building");
        deleteTree(work);
        try {
            List<String> modulePath = new ArrayList<>(List.of(jdk.resolve("jmods").toString()));
            jars.values().forEach(j -> modulePath.add(j.toString()));
            run(List.of(jlink.toString(), "--module-path", String.join(java.io.File.pathSeparator, modulePath),
                    "--add-modules", String.join(",", set.roots()),
                    "--strip-debug", "--no-header-files", "--no-man-pages", "--compress=2", "--output", work.toString()),
                    Map.of(), "jlink for the " + name + " image");
            if (strip) {
                stripNative(work);
            }
            for (String unused : UNUSED_JDK_FILES) {
                Files.deleteIfExists(work.resolve(unused));
            }
            writeResource("vmafx-node.sh", work.resolve("bin/vmafx-node"), "rwxr-xr-x");
            Path plugins = Files.createDirectory(work.resolve("plugins"));
            Files.setPosixFilePermissions(plugins, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createDirectories(work.resolve("conf"));
            writeResource("rclone.conf.sample", work.resolve("conf/rclone.conf.sample"), "rw-r--r--");
            writeResource("vmafx-node.env", work.resolve("conf/vmafx-node.env"), "rw-r--r--");
            for (Map.Entry<String, Path> jar : jars.entrySet()) {
                copyLicences(jar.getKey(), jar.getValue(), work.resolve("legal").resolve(jar.getKey()));
            }
            if (cds) {
                archiveClasses(work, name);
            } else {
                checkRuns(work, name, null);
            }
            Files.writeString(work.resolve(RECORD), record, StandardCharsets.UTF_8);
            deleteTree(image);
            Files.move(work, image);
        } finally {
            deleteTree(work);
        }
        log.printf("vmafx-dist: image %s (%s) built in %.1f s: %s%n", name, String.join(",", set.modules()),
                (System.nanoTime() - start) / 1e9, image);
        return image;
    }

    /** What an image is built from: the set, the jars (by content), the JDK, the options, this tool's own files. */
    private String record(ModuleSet set, Map<String, Path> jars) throws IOException {
        StringBuilder b = new StringBuilder("vmafx-node runtime image, made by vmafx-dist\n");
        b.append("modules: ").append(String.join(",", set.modules())).append('\n');
        b.append("jlink: --add-modules ").append(String.join(",", set.roots()))
                .append(" --strip-debug --no-header-files --no-man-pages --compress=2\n");
        b.append("strip native libraries: ").append(strip ? "yes" : "no").append('\n');
        b.append("class data sharing archive: ").append(cds ? "lib/server/classes.jsa" : "none").append('\n');
        Path release = jdk.resolve("release");
        String jdkVersion = Files.isRegularFile(release) ? Files.readAllLines(release).stream()
                .filter(l -> l.startsWith("JAVA_VERSION=")).findFirst().orElse("?") : "?";
        b.append("jdk: ").append(jdkVersion).append('\n');
        for (Map.Entry<String, Path> jar : jars.entrySet()) {
            b.append("module ").append(jar.getKey()).append(' ').append(jar.getValue().getFileName()).append(" sha256 ")
                    .append(TarGz.sha256(jar.getValue())).append('\n');
        }
        // This class is the recipe: a changed recipe rebuilds the image.
        for (String r : List.of("ImageBuilder.class", "TarGz.class", "vmafx-node.sh", "rclone.conf.sample", "vmafx-node.env")) {
            b.append("file ").append(r).append(" sha256 ").append(java.util.HexFormat.of().formatHex(
                    sha256(resource(r)))).append('\n');
        }
        return b.toString();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Strips symbol tables from the image's native libraries (the JVM's is most of the image). */
    private void stripNative(Path image) throws DistException, IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(tool("strip", "binutils", "--no-strip"), "--strip-unneeded"));
        try (Stream<Path> all = Files.walk(image.resolve("lib"))) {
            all.filter(p -> p.getFileName().toString().endsWith(".so") && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .sorted().forEach(p -> cmd.add(p.toString()));
        }
        run(cmd, Map.of(), "strip of the image's native libraries");
    }

    /**
     * Runs {@code providers} from the image while recording the classes it loads, then dumps them with the
     * JDK's own into the image's default CDS archive.
     */
    private void archiveClasses(Path image, String name) throws DistException, IOException, InterruptedException {
        Path tmp = Files.createTempDirectory("vmafx-dist-cds-");
        try {
            Path list = tmp.resolve("classes.lst");
            checkRuns(image, name, "-XX:DumpLoadedClassList=" + list);
            // Only the classes: the @lambda-proxy/@lambda-form lines would pre-generate classes the node barely uses
            // and make the archive (the image's largest file but one) about 10 % larger for no measurable gain.
            List<String> classes = Files.readAllLines(list, StandardCharsets.UTF_8).stream().filter(l -> !l.startsWith("@")).toList();
            Files.write(list, classes, StandardCharsets.UTF_8);
            Path java = image.resolve("bin/java");
            run(List.of(java.toString(), "-Xshare:dump", "-XX:SharedClassListFile=" + list,
                    "-XX:SharedArchiveFile=" + image.resolve("lib/server/classes.jsa"), "-m", MAIN),
                    Map.of(), "the class data sharing dump of the " + name + " image");
        } finally {
            deleteTree(tmp);
        }
    }

    /**
     * What jlink puts into every image with {@code java.base} that a node never runs: {@code keytool} (a keystore
     * editor), {@code jexec} (runs jar files through binfmt_misc), {@code classlist} (the JDK's default class list,
     * read only by a {@code -Xshare:dump} given no list of its own; the image's archive is dumped from the node's) and
     * {@code jrt-fs.jar} (lets tools running on another JDK browse this image's classes; the image's own
     * {@code jrt:/} file system is built into {@code java.base}). 0.25 MB that kept the minimal image over 45 MB.
     */
    static final List<String> UNUSED_JDK_FILES = List.of("bin/keytool", "lib/jexec", "lib/classlist", "lib/jrt-fs.jar");

    /** Runs {@code bin/vmafx-node providers} from the image (a node that cannot start fails the build). */
    private void checkRuns(Path image, String name, String jvmOption) throws DistException, IOException, InterruptedException {
        Map<String, String> env = new TreeMap<>();
        if (jvmOption != null) {
            env.put("VMAFX_JAVA_OPTS", jvmOption);
        }
        run(List.of(image.resolve("bin/vmafx-node").toString(), "providers"), env, "the " + name + " image's node (providers)");
    }

    /** Runs a command (environment without VMAFX_* but {@code env}), failing with its output as one line. */
    private static void run(List<String> cmd, Map<String, String> env, String what) throws DistException, IOException, InterruptedException {
        Path out = Files.createTempFile("vmafx-dist-", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().keySet().removeIf(k -> k.startsWith("VMAFX_"));
            pb.environment().putAll(env);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new DistException(what + " cannot start " + cmd.get(0) + ": " + oneLine(e.getMessage()));
            }
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
                throw new DistException(what + " did not finish within 300 s");
            }
            if (p.exitValue() != 0) {
                throw new DistException(what + " failed (exit " + p.exitValue() + "): "
                        + oneLine(Files.readString(out, StandardCharsets.UTF_8)));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The executable {@code name} on the PATH, or a message naming the Debian package and the option that avoids it. */
    private static String tool(String name, String debianPackage, String option) throws DistException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        throw new DistException(name + " not found on the PATH (Debian package " + debianPackage + "), or pass " + option);
    }

    /** Libraries whose jars carry no licence file: what their projects state. */
    private static final Map<String, String> KNOWN_LICENCES = Map.of("info.picocli",
            "picocli (https://picocli.info) is licensed under the Apache License, Version 2.0:"
            + " https://www.apache.org/licenses/LICENSE-2.0 (its jar carries no licence file; see its LICENSE in"
            + " https://github.com/remkop/picocli).");

    /**
     * Copies a jar's licence and notice files (META-INF/LICENSE*, NOTICE*) to {@code dir}; for a library whose jar
     * has none, the licence its project states ({@link #KNOWN_LICENCES}).
     */
    private static void copyLicences(String module, Path jar, Path dir) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            List<ZipEntry> found = new ArrayList<>();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                String n = e.getName();
                String base = n.substring(n.lastIndexOf('/') + 1);
                if (!e.isDirectory() && n.equals("META-INF/" + base)
                        && (base.startsWith("LICENSE") || base.startsWith("NOTICE") || base.startsWith("LICENCE"))) {
                    found.add(e);
                }
            }
            if (found.isEmpty() && KNOWN_LICENCES.containsKey(module)) {
                Files.createDirectories(dir);
                Path to = dir.resolve("LICENSE");
                Files.writeString(to, KNOWN_LICENCES.get(module) + "\n", StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
            }
            for (ZipEntry e : found) {
                Files.createDirectories(dir);
                Path to = dir.resolve(e.getName().substring("META-INF/".length()));
                try (InputStream in = zip.getInputStream(e)) {
                    Files.copy(in, to);
                }
                Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ImageBuilder.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("vmafx-dist is missing its resource " + name);
            }
            return in.readAllBytes();
        }
    }

    private static void writeResource(String name, Path to, String perms) throws IOException {
        Files.write(to, resource(name));
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(perms));
    }

    static String oneLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        return String.join(" | ", s.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }

    private static boolean isEmptyDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /** Deletes {@code root} and everything below it, never following a symlink out of it. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(root);
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    if (exc != null) {
                        throw exc;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // gone meanwhile
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
