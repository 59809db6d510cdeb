package io.vmafx.bypass.ebpf.probe;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the probe's JNI library and loads it:
 * <ol>
 *   <li>{@code -Dvmafx.bypass.library=/path/libvmafx_bypass_ebpf.so}: that file, as it is;</li>
 *   <li>otherwise the jar's {@code META-INF/native/linux-<arch>/libvmafx_bypass_ebpf.so} for the running
 *       architecture, copied to a file named by its content hash in a private directory (mode 0700, owned by this
 *       user): {@code -Dvmafx.bypass.library.dir}, else {@code $XDG_RUNTIME_DIR/vmafx-native}, else
 *       {@code <java.io.tmpdir>/vmafx-native-<uid>}. An identical copy already there is reused; a different one
 *       is replaced atomically.</li>
 * </ol>
 * Every failure is a {@link LoadException} whose message says what went wrong and what to do: no library for
 * this architecture, a missing override file, a directory on a {@code noexec} mount, a directory that belongs to
 * another user.
 */
final class NativeLoader {

    static final String LIBRARY_PROPERTY = "vmafx.bypass.library";
    static final String DIR_PROPERTY = "vmafx.bypass.library.dir";
    static final String LIBRARY_NAME = "libvmafx_bypass_ebpf.so";
    static final String RESOURCE_ROOT = "META-INF/native/";
    /** The architectures bypass-ebpf-native builds. */
    static final List<String> PLATFORMS = List.of("linux-x86_64", "linux-aarch64");

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    /** Why the library could not be loaded, in one sentence an operator can act on. */
    static final class LoadException extends Exception {
        private static final long serialVersionUID = 1L;

        LoadException(String message) {
            super(message);
        }

        LoadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private NativeLoader() {
    }

    /** Loads the library (see the class comment); returns the file loaded. */
    static Path load() throws LoadException {
        String override = System.getProperty(LIBRARY_PROPERTY);
        Path file = override != null && !override.isBlank()
                ? overrideFile(override)
                : extract(extractionDir(), platform(System.getProperty("os.name", ""), System.getProperty("os.arch", "")));
        systemLoad(file);
        return file;
    }

    /** The file named by {@code -Dvmafx.bypass.library}, checked. */
    static Path overrideFile(String value) throws LoadException {
        Path p = Path.of(value).toAbsolutePath();
        if (!Files.exists(p)) {
            throw new LoadException("-D" + LIBRARY_PROPERTY + "=" + value + ": no such file");
        }
        if (!Files.isRegularFile(p)) {
            throw new LoadException("-D" + LIBRARY_PROPERTY + "=" + value + ": not a regular file");
        }
        if (!Files.isReadable(p)) {
            throw new LoadException("-D" + LIBRARY_PROPERTY + "=" + value + ": not readable by this user");
        }
        return p;
    }

    /** {@code linux-x86_64} or {@code linux-aarch64} for this JVM, or why there is no library for it. */
    static String platform(String osName, String osArch) throws LoadException {
        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            throw new LoadException("the eBPF probe runs on Linux only, not on " + osName);
        }
        String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64", "x86-64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> osArch.toLowerCase(Locale.ROOT);
        };
        String platform = "linux-" + arch;
        if (!PLATFORMS.contains(platform)) {
            throw new LoadException("no native library for " + platform + " in the jar (it has "
                    + String.join(", ", availablePlatforms()) + "); build one or pass -D" + LIBRARY_PROPERTY + "=<path>");
        }
        return platform;
    }

    /** The platforms whose library the jar (or class path) holds. */
    static List<String> availablePlatforms() {
        List<String> found = new ArrayList<>();
        for (String p : PLATFORMS) {
            if (NativeLoader.class.getClassLoader().getResource(resource(p)) != null) {
                found.add(p);
            }
        }
        return found.isEmpty() ? List.of("none") : found;
    }

    static String resource(String platform) {
        return RESOURCE_ROOT + platform + "/" + LIBRARY_NAME;
    }

    /** The library of {@code platform} from the jar. */
    static byte[] libraryBytes(String platform) throws LoadException {
        String name = resource(platform);
        try (InputStream in = NativeLoader.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new LoadException("no native library for " + platform + " in the jar (" + name
                        + " is missing; it has " + String.join(", ", availablePlatforms())
                        + "): build bypass-ebpf-native, then bypass-ebpf");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new LoadException("cannot read " + name + " from the jar: " + e.getMessage(), e);
        }
    }

    /** Where the library is copied: see the class comment. */
    static Path extractionDir() throws LoadException {
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir).toAbsolutePath();
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank()) {
            Path runtime = Path.of(xdg);
            try {
                if (Files.isDirectory(runtime) && Files.isWritable(runtime) && owner(runtime) == uid()) {
                    return runtime.resolve("vmafx-native");
                }
            } catch (IOException ignored) {
                // fall through to the temporary directory
            }
        }
        try {
            return Path.of(System.getProperty("java.io.tmpdir", "/tmp")).toAbsolutePath().resolve("vmafx-native-" + uid());
        } catch (IOException e) {
            throw new LoadException("cannot tell this process's user id from /proc/self: " + e.getMessage(), e);
        }
    }

    /**
     * Copies the library of {@code platform} into {@code dir} (created 0700 when missing) as
     * {@code libvmafx_bypass_ebpf-<16 hex of its SHA-256>.so}, unless an identical file is there; returns the file.
     */
    static Path extract(Path dir, String platform) throws LoadException {
        byte[] bytes = libraryBytes(platform);
        String hash = sha256(bytes);
        privateDirectory(dir);
        Path target = dir.resolve("libvmafx_bypass_ebpf-" + hash.substring(0, 16) + ".so");
        try {
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && owner(target) == uid()
                    && sha256(Files.readAllBytes(target)).equals(hash)) {
                return target; // reused
            }
            Path tmp = Files.createTempFile(dir, ".libvmafx_bypass_ebpf-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try {
                Files.write(tmp, bytes);
                try {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new LoadException("cannot copy the native library to " + target + ": " + describe(e)
                    + " (set -D" + DIR_PROPERTY + "=<a private directory> or -D" + LIBRARY_PROPERTY + "=<path>)", e);
        }
    }

    /** Creates {@code dir} with mode 0700, or checks that the one there is a directory of this user's, and 0700. */
    static void privateDirectory(Path dir) throws LoadException {
        try {
            try {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException e) {
                // checked below
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new LoadException("cannot use " + dir + " for the native library: it is not a directory"
                        + " (set -D" + DIR_PROPERTY + "=<a private directory>)");
            }
            long owner = owner(dir);
            if (owner != uid()) {
                throw new LoadException("cannot use " + dir + " for the native library: it belongs to uid " + owner
                        + ", not to this user (uid " + uid() + "); remove it or set -D" + DIR_PROPERTY + "=<a private directory>");
            }
            if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(dir, OWNER_ONLY); // umask or an older run: ours, so make it private
            }
        } catch (IOException e) {
            throw new LoadException("cannot create the private directory " + dir + " for the native library: "
                    + describe(e) + " (set -D" + DIR_PROPERTY + "=<a writable directory>)", e);
        }
    }

    private static void systemLoad(Path file) throws LoadException {
        try {
            System.load(file.toString());
        } catch (UnsatisfiedLinkError e) {
            String msg = String.valueOf(e.getMessage());
            Optional<String> noexec = noexecMount(file);
            if (noexec.isPresent() || msg.contains("failed to map segment")) {
                throw new LoadException("cannot load " + file + ": its directory is on a file system mounted noexec"
                        + noexec.map(m -> " (" + m + ")").orElse("")
                        + ", so the library cannot be mapped executable; set -D" + DIR_PROPERTY
                        + "=<a directory on an exec mount> or -D" + LIBRARY_PROPERTY + "=<path> [" + msg + "]", e);
            }
            if (!Files.exists(file)) {
                throw new LoadException("cannot load " + file + ": no such file [" + msg + "]", e);
            }
            throw new LoadException("cannot load " + file + ": " + msg, e);
        }
    }

    /** "mount point /x is mounted noexec" when the file system holding {@code file} is noexec, read from mountinfo. */
    static Optional<String> noexecMount(Path file) {
        try {
            Path real = file.toAbsolutePath().getParent().toRealPath();
            String best = null;
            boolean noexec = false;
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length < 6) {
                    continue;
                }
                String mountPoint = unescape(f[4]);
                if (real.startsWith(mountPoint) && (best == null || mountPoint.length() >= best.length())) {
                    best = mountPoint;
                    noexec = List.of(f[5].split(",")).contains("noexec");
                }
            }
            return noexec ? Optional.of("mount point " + best + " is mounted noexec") : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    static long uid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    private static long owner(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory: " + e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
