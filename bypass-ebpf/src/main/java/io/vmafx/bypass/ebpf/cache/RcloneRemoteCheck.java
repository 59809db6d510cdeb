package io.vmafx.bypass.ebpf.cache;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link RemoteCheck} by running rclone: a fresh {@code lsjson --stat} per object (no VFS, no directory cache in
 * between: what the remote says now), and, once per remote root and {@link #IDENTITY_TTL}, how rclone names the
 * root's file system and which hash its fingerprints carry.
 *
 * <p><b>How the cache directory is found.</b> rclone keeps a mount's cache in
 * {@code <cacheDir>/vfs/<fs.Name()>/<fs.Root()>}. The name is not the remote's name in general: an alias opens its
 * target (named {@code local} for a plain path), and options given in a connection string or in
 * {@code RCLONE_<BACKEND>_<OPTION>} variables add a suffix {@code {XXXXX}} (a hash of them). Rather than
 * re-implement that, the check opens the root the way the mount does ({@code rclone lsjson --stat <root>}, which
 * for a root answers without listing it) with debug logging, where rclone's file system cache logs the canonical
 * string of what it opened: {@code fs cache: renaming cache item "media:" to be canonical "/srv/a"}, i.e.
 * {@code fs.ConfigString} = {@code name:root} (only the root for {@code local}). With no such line the root was
 * canonical already. The hash type is the first of {@code rclone backend features <root>}'s {@code Hashes}, which
 * is the one {@code fs.Fingerprint} takes ({@code hash.Set.GetOne}).
 */
final class RcloneRemoteCheck implements RemoteCheck {

    /** How long what rclone said about a root's naming is trusted; a changed rclone.conf is seen after this. */
    static final Duration IDENTITY_TTL = Duration.ofMinutes(10);
    private static final String RENAMING = "fs cache: renaming cache item ";
    private static final String TO_BE_CANONICAL = " to be canonical ";

    private final Rclone rclone;
    private final Duration timeout;
    private final Map<String, Timed<RemoteFs>> identities = new ConcurrentHashMap<>();
    private final Map<String, Timed<Optional<String>>> hashTypes = new ConcurrentHashMap<>();
    private final Map<String, Boolean> slowHashes = new ConcurrentHashMap<>();

    private record Timed<T>(T value, long expiresNanos) {
        boolean fresh() {
            return System.nanoTime() - expiresNanos < 0;
        }
    }

    RcloneRemoteCheck(Rclone rclone, Duration timeout) {
        this.rclone = rclone;
        this.timeout = timeout;
    }

    @Override
    public RemoteFs resolve(String remoteRoot) throws RemoteException, InterruptedException {
        Timed<RemoteFs> t = identities.get(remoteRoot);
        if (t != null && t.fresh()) {
            return t.value();
        }
        Rclone.Result r = run(List.of("--log-level", "DEBUG", "lsjson", "--stat", "--no-mimetype", "--no-modtime", remoteRoot));
        if (r.exitCode() != 0) {
            throw new RemoteException("rclone cannot open " + remoteRoot + " (exit code " + r.exitCode() + ")" + suffix(r.stderrTail()));
        }
        RemoteFs fs;
        try {
            fs = RemoteFs.fromConfigString(canonical(remoteRoot, r.stderr()));
        } catch (IllegalArgumentException e) {
            throw new RemoteException("cannot tell where rclone caches " + remoteRoot + ": " + e.getMessage());
        }
        identities.put(remoteRoot, new Timed<>(fs, System.nanoTime() + IDENTITY_TTL.toNanos()));
        return fs;
    }

    /** The canonical string rclone's fs cache logged for {@code remoteRoot}, or the root itself when none. */
    static String canonical(String remoteRoot, String debugLog) {
        for (String line : debugLog.split("\n")) {
            int at = line.indexOf(RENAMING);
            if (at < 0) {
                continue;
            }
            int[] end = new int[1];
            String from = goUnquote(line, at + RENAMING.length(), end);
            if (from == null || !from.equals(remoteRoot) || !line.startsWith(TO_BE_CANONICAL, end[0])) {
                continue;
            }
            String to = goUnquote(line, end[0] + TO_BE_CANONICAL.length(), end);
            if (to != null) {
                return to;
            }
        }
        return remoteRoot;
    }

    /**
     * The Go-quoted ({@code %q}) string starting at {@code start} of {@code s}, or null when there is none;
     * {@code end[0]} is set to the index after its closing quote.
     */
    static String goUnquote(String s, int start, int[] end) {
        if (start >= s.length() || s.charAt(start) != '"') {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int i = start + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"') {
                end[0] = i + 1;
                return bytes.toString(StandardCharsets.UTF_8);
            }
            if (c != '\\') {
                int cp = s.codePointAt(i);
                byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
                i += Character.charCount(cp);
                continue;
            }
            if (i + 1 >= s.length()) {
                return null;
            }
            char e = s.charAt(i + 1);
            i += 2;
            try {
                switch (e) {
                    case 'a': bytes.write(7); break;
                    case 'b': bytes.write(8); break;
                    case 'f': bytes.write(12); break;
                    case 'n': bytes.write(10); break;
                    case 'r': bytes.write(13); break;
                    case 't': bytes.write(9); break;
                    case 'v': bytes.write(11); break;
                    case '\\': bytes.write('\\'); break;
                    case '"': bytes.write('"'); break;
                    case '\'': bytes.write('\''); break;
                    case 'x':
                        bytes.write(Integer.parseInt(s.substring(i, i + 2), 16));
                        i += 2;
                        break;
                    case 'u':
                    case 'U': {
                        int n = e == 'u' ? 4 : 8;
                        int cp = Integer.parseInt(s.substring(i, i + n), 16);
                        byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                        bytes.write(b, 0, b.length);
                        i += n;
                        break;
                    }
                    default:
                        if (e >= '0' && e <= '7') {
                            bytes.write(Integer.parseInt(s.substring(i - 1, i + 2), 8));
                            i += 2;
                            break;
                        }
                        return null;
                }
            } catch (NumberFormatException | IndexOutOfBoundsException ex) {
                return null;
            }
        }
        return null;
    }

    @Override
    public Optional<String> fingerprintHash(String remoteRoot) throws RemoteException, InterruptedException {
        Timed<Optional<String>> t = hashTypes.get(remoteRoot);
        if (t != null && t.fresh()) {
            return t.value();
        }
        Rclone.Result r = run(List.of("backend", "features", remoteRoot));
        if (r.exitCode() != 0) {
            throw new RemoteException("rclone backend features " + remoteRoot + " exited with code " + r.exitCode() + suffix(r.stderrTail()));
        }
        Optional<String> type;
        try {
            Object hashes = Json.parseObject(r.stdout()).get("Hashes");
            if (!(hashes instanceof List)) {
                throw new RemoteException("rclone backend features " + remoteRoot + " lists no hashes");
            }
            List<?> list = (List<?>) hashes;
            type = list.isEmpty() ? Optional.empty() : Optional.of(String.valueOf(list.get(0)));
            Object features = Json.parseObject(r.stdout()).get("Features");
            slowHashes.put(remoteRoot, features instanceof Map<?, ?> f && Boolean.TRUE.equals(f.get("SlowHash")));
        } catch (Json.ParseException e) {
            throw new RemoteException("rclone backend features " + remoteRoot + " answered something unexpected: " + e.getMessage());
        }
        hashTypes.put(remoteRoot, new Timed<>(type, System.nanoTime() + IDENTITY_TTL.toNanos()));
        return type;
    }

    /** {@code Features.SlowHash} of {@code rclone backend features}, read with the hash type. */
    @Override
    public boolean hashIsSlow(String remoteRoot) throws RemoteException, InterruptedException {
        fingerprintHash(remoteRoot);
        return slowHashes.getOrDefault(remoteRoot, false);
    }

    @Override
    public RemoteObject stat(String remoteRoot, String path, Optional<String> hashType) throws RemoteException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("lsjson", "--stat", "--no-mimetype"));
        hashType.ifPresent(h -> {
            args.add("--hash-type");
            args.add(h);
        });
        args.add(remoteRoot + path);
        Rclone.Result r = run(args);
        if (r.exitCode() == 3 || r.exitCode() == 4) {
            return RemoteObject.missing();
        }
        if (r.exitCode() != 0) {
            throw new RemoteException("rclone lsjson --stat exited with code " + r.exitCode() + suffix(r.stderrTail()));
        }
        try {
            return parseStat(r.stdout());
        } catch (IllegalArgumentException e) {
            throw new RemoteException("rclone lsjson --stat answered something unexpected: " + e.getMessage());
        }
    }

    /** One {@code lsjson --stat} object. */
    static RemoteObject parseStat(String json) {
        return parseItem(Json.parseObject(json));
    }

    /** One lsjson item, as {@code lsjson --stat} prints it and {@code operations/stat} answers it. */
    static RemoteObject parseItem(Map<String, Object> o) {
        if (Boolean.TRUE.equals(o.get("IsDir"))) {
            return new RemoteObject(RemoteObject.Kind.DIRECTORY, -1, Optional.empty(), Map.of());
        }
        if (!(o.get("Size") instanceof Long)) {
            throw new IllegalArgumentException("no Size");
        }
        Optional<Instant> modTime = Optional.empty();
        if (o.get("ModTime") instanceof String) {
            try {
                modTime = Optional.of(OffsetDateTime.parse((String) o.get("ModTime")).toInstant());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("bad ModTime '" + o.get("ModTime") + "'");
            }
        }
        Map<String, String> hashes = new HashMap<>();
        if (o.get("Hashes") instanceof Map) {
            ((Map<?, ?>) o.get("Hashes")).forEach((k, v) -> {
                if (v instanceof String && !((String) v).isEmpty()) {
                    hashes.put(String.valueOf(k), (String) v);
                }
            });
        }
        return new RemoteObject(RemoteObject.Kind.FILE, (Long) o.get("Size"), modTime, hashes);
    }

    private Rclone.Result run(List<String> args) throws RemoteException, InterruptedException {
        try {
            return rclone.run(args, timeout);
        } catch (Rclone.TimeoutException e) {
            throw new RemoteException("the remote did not answer within " + timeout.toMillis() / 1000.0 + " s");
        } catch (IOException e) {
            throw new RemoteException("cannot run " + rclone.binary() + ": " + e.getMessage());
        }
    }

    private static String suffix(String tail) {
        return tail.isEmpty() ? "" : ": " + tail;
    }
}
