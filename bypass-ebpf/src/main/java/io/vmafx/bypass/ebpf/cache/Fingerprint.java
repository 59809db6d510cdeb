package io.vmafx.bypass.ebpf.cache;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * rclone's fingerprint of a remote object ({@code fs.Fingerprint}), which its VFS cache keeps in the metadata to
 * tell whether the cached data is still the object's: {@code <size>[,<modtime>][,<hash>]}, e.g.
 * {@code 3000000,2026-11-21 06:45:46.219298985 +0000 UTC,5e4d1ffff5a8d860248eb6a32df5400c}.
 *
 * <p>The time is Go's {@code time.Time.String()} of the UTC time (fraction without trailing zeros, none when
 * whole seconds); it is left out for backends without modification times (and with {@code --vfs-fast-fingerprint}
 * where reading it is slow). The hash is the first hash type the backend supports ({@code md5} for local, S3,
 * GCS, Azure...), left out for backends without one (and with {@code --vfs-fast-fingerprint} where it is slow).
 *
 * @param size    the object's size
 * @param modTime its modification time, when the fingerprint has one
 * @param hash    its hash as rclone wrote it, when the fingerprint has one
 */
public record Fingerprint(long size, Optional<Instant> modTime, Optional<String> hash) {

    /** {@code 2006-01-02 15:04:05.999999999 -0700 MST}, the fraction optional. */
    private static final Pattern GO_TIME = Pattern.compile(
            "(\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2})(?:\\.(\\d{1,9}))? ([+-])(\\d{2})(\\d{2}) \\S+");
    private static final Pattern SIZE = Pattern.compile("-?\\d{1,19}");
    private static final Pattern HASH = Pattern.compile("[0-9A-Za-z+/=_-]+");

    public Fingerprint {
        Objects.requireNonNull(modTime, "modTime");
        Objects.requireNonNull(hash, "hash");
    }

    /** Parses rclone's fingerprint string. */
    public static Fingerprint parse(String text) throws VfsMeta.FormatException {
        String[] parts = text.split(",", -1);
        if (!SIZE.matcher(parts[0]).matches()) {
            throw new VfsMeta.FormatException("fingerprint '" + text + "' does not start with a size");
        }
        long size;
        try {
            size = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            throw new VfsMeta.FormatException("fingerprint '" + text + "' has a bad size");
        }
        Optional<Instant> modTime = Optional.empty();
        Optional<String> hash = Optional.empty();
        if (parts.length > 3) {
            throw new VfsMeta.FormatException("fingerprint '" + text + "' has more parts than size, time and hash");
        }
        for (int i = 1; i < parts.length; i++) {
            Optional<Instant> t = goTime(parts[i]);
            if (t.isPresent() && i == 1) {
                modTime = t;
            } else if (i == parts.length - 1 && HASH.matcher(parts[i]).matches()) {
                hash = Optional.of(parts[i]);
            } else {
                throw new VfsMeta.FormatException("fingerprint '" + text + "': cannot read '" + parts[i] + "'");
            }
        }
        return new Fingerprint(size, modTime, hash);
    }

    /** A time as Go's {@code time.Time.String()} writes it, or empty when {@code s} is not one. */
    static Optional<Instant> goTime(String s) {
        Matcher m = GO_TIME.matcher(s);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            LocalDateTime local = LocalDateTime.parse(m.group(1) + "T" + m.group(2));
            int nanos = 0;
            if (m.group(3) != null) {
                nanos = Integer.parseInt((m.group(3) + "00000000").substring(0, 9));
            }
            int offsetSeconds = (Integer.parseInt(m.group(5)) * 3600 + Integer.parseInt(m.group(6)) * 60)
                    * (m.group(4).equals("-") ? -1 : 1);
            return Optional.of(local.withNano(nanos).toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds)));
        } catch (java.time.DateTimeException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether {@code remoteHash} (what {@code lsjson --hash-type} says now) is this fingerprint's hash: equal, or
     * equal but for case when both are hexadecimal.
     */
    public static boolean sameHash(String cached, String remoteHash) {
        if (cached.equals(remoteHash)) {
            return true;
        }
        return cached.matches("[0-9A-Fa-f]+") && cached.equalsIgnoreCase(remoteHash);
    }

    /** Whether the fingerprint can tell a changed object from the same one beyond its size. */
    public boolean hasModTimeOrHash() {
        return modTime.isPresent() || hash.isPresent();
    }
}
