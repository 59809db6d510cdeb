package io.vmafx.bypass.ebpf.cache;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One rclone VFS cache metadata file ({@code <cacheDir>/vfsMeta/<fs name>/<fs root>/<path>}), as rclone 1.60
 * writes it for a cache item (Go's {@code vfscache.Info}, tab-indented JSON):
 *
 * <pre>{@code
 * {
 *     "ModTime": "2026-11-21T06:45:49.831545212Z",
 *     "ATime": "2026-11-21T06:45:49.860577496Z",
 *     "Size": 3000000,
 *     "Rs": [ { "Pos": 0, "Size": 3000000 } ],
 *     "Fingerprint": "3000000,2026-11-21 06:45:46.219298985 +0000 UTC,5e4d1ffff5a8d860248eb6a32df5400c",
 *     "Dirty": false
 * }
 * }</pre>
 *
 * {@code ModTime} is when rclone created (or last wrote) the item, not the remote object's time: that is in the
 * fingerprint. {@code ATime} is rclone's last access (a FUSE read updates it; a bare open does not), which its
 * cache sweep evicts by. {@code Rs} is {@code null} for an item with no data yet.
 *
 * @param modTime     {@code ModTime}, as written
 * @param aTime       {@code ATime}, as written
 * @param size        {@code Size}: the object's size
 * @param ranges      {@code Rs}: the byte ranges present in the data file
 * @param fingerprint {@code Fingerprint}: rclone's fingerprint of the remote object the data came from
 * @param dirty       {@code Dirty}: the item holds local writes not yet uploaded
 */
public record VfsMeta(String modTime, String aTime, long size, List<Range> ranges, String fingerprint, boolean dirty) {

    /** Bytes {@code [pos, pos + size)} of the data file are present. */
    public record Range(long pos, long size) {
        public Range {
            if (pos < 0 || size < 0 || pos > Long.MAX_VALUE - size) {
                throw new IllegalArgumentException("bad range {Pos: " + pos + ", Size: " + size + "}");
            }
        }

        long end() {
            return pos + size;
        }
    }

    public VfsMeta {
        Objects.requireNonNull(modTime, "modTime");
        Objects.requireNonNull(aTime, "aTime");
        Objects.requireNonNull(fingerprint, "fingerprint");
        ranges = List.copyOf(ranges);
        if (size < 0) {
            throw new IllegalArgumentException("negative Size " + size);
        }
    }

    /** The metadata is not what rclone 1.60 writes; the message says what is wrong. */
    public static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;

        FormatException(String message) {
            super(message);
        }
    }

    /** Parses a metadata file's bytes (UTF-8 JSON). */
    public static VfsMeta parse(byte[] bytes) throws FormatException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new FormatException("not UTF-8");
        }
        Map<String, Object> o;
        try {
            o = Json.parseObject(text);
        } catch (Json.ParseException e) {
            throw new FormatException(text.isBlank() ? "empty file" : "not JSON (" + e.getMessage() + ")");
        }
        try {
            String modTime = string(o, "ModTime");
            String aTime = string(o, "ATime");
            long size = number(o, "Size");
            List<Range> ranges = new ArrayList<>();
            if (!o.containsKey("Rs")) {
                throw new FormatException("no \"Rs\"");
            }
            Object rs = o.get("Rs");
            if (rs != null) {
                if (!(rs instanceof List)) {
                    throw new FormatException("\"Rs\" is " + Json.kind(rs) + ", not an array");
                }
                for (Object r : (List<?>) rs) {
                    if (!(r instanceof Map)) {
                        throw new FormatException("a range in \"Rs\" is " + Json.kind(r) + ", not an object");
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) r;
                    ranges.add(new Range(number(m, "Pos"), number(m, "Size")));
                }
            }
            String fingerprint = string(o, "Fingerprint");
            Object dirty = o.get("Dirty");
            if (!(dirty instanceof Boolean)) {
                throw new FormatException(dirty == null && !o.containsKey("Dirty") ? "no \"Dirty\""
                        : "\"Dirty\" is " + Json.kind(dirty) + ", not a boolean");
            }
            return new VfsMeta(modTime, aTime, size, ranges, fingerprint, (Boolean) dirty);
        } catch (IllegalArgumentException e) {
            throw new FormatException(e.getMessage());
        }
    }

    private static String string(Map<String, Object> o, String key) throws FormatException {
        Object v = o.get(key);
        if (!(v instanceof String)) {
            throw new FormatException(v == null && !o.containsKey(key) ? "no \"" + key + "\"" : "\"" + key + "\" is " + Json.kind(v) + ", not a string");
        }
        return (String) v;
    }

    private static long number(Map<String, Object> o, String key) throws FormatException {
        Object v = o.get(key);
        if (!(v instanceof Long)) {
            throw new FormatException(v == null && !o.containsKey(key) ? "no \"" + key + "\"" : "\"" + key + "\" is " + Json.kind(v) + ", not an integer");
        }
        return (Long) v;
    }

    /** Bytes of {@code [0, size)} that the ranges cover (overlaps counted once). */
    public long cachedBytes() {
        List<Range> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(Range::pos));
        long covered = 0;
        long reach = 0; // everything below reach has been counted
        for (Range r : sorted) {
            long from = Math.max(r.pos(), reach);
            long to = Math.min(r.end(), size);
            if (to > from) {
                covered += to - from;
            }
            reach = Math.max(reach, Math.min(r.end(), size));
        }
        return covered;
    }

    /** Whether the ranges cover {@code [0, size)}: every byte of the object is in the data file. */
    public boolean complete() {
        return cachedBytes() == size;
    }

    /** Whole percent of the object that is cached, rounded down (99.9% is 99, never 100 unless complete). */
    public int percentCached() {
        if (size == 0) {
            return 100;
        }
        return (int) Math.floor(cachedBytes() * 100.0 / size);
    }

    /**
     * Whether {@code other} describes the same cache item in the same state: every field but {@code ATime}, which
     * a read through the mount (ours included, see {@code AccessToucher}) changes without changing the data.
     */
    public boolean sameItemAs(VfsMeta other) {
        return modTime.equals(other.modTime) && size == other.size && ranges.equals(other.ranges)
                && fingerprint.equals(other.fingerprint) && dirty == other.dirty;
    }
}
