package io.vmafx.bypass.ebpf.probe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the Java side decodes from the native library: where {@link OpenEvent#decode} reads each field of
 * {@code struct vmafx_event}, and the constants and indices the arrays of {@link NativeProbe} are read by. The C
 * header ({@code bypass-ebpf-native/src/main/c/vmafx_probe.h}) is the source of truth: its {@code _Static_assert}s pin
 * the C layout, {@code NativeProbe.layout()} reports the layout the library was compiled with, and
 * {@link NativeProbe}'s class initialiser calls {@link #mismatch} so that a library built from another header never
 * starts a probe (the bypass then declines with that reason; the node runs on without it).
 */
final class EventLayout {

    /** Offsets in {@code struct vmafx_event} ({@code VMAFX_EVENT_OFF_*}). */
    static final int TS_NS = 0;
    static final int DEV = 8;
    static final int INO = 16;
    static final int KIND = 24;
    static final int TGID = 28;
    static final int TID = 32;
    static final int RET = 36;
    static final int FLAGS = 40;
    static final int FS_MAGIC = 44;
    static final int EV_FLAGS = 48;
    static final int SYSCALL = 52;
    static final int PATH_LEN = 56;
    static final int COMM = 64;
    static final int PATH = 80;
    static final int COMM_LEN = 16;

    /** Which open syscall an open event comes from ({@code VMAFX_SYS_*}). */
    static final int SYS_OPENAT = 1;
    static final int SYS_OPENAT2 = 2;
    static final int SYS_OPEN = 3;

    /** Indices of {@link NativeProbe#stats} ({@code VMAFX_STAT_*}), in {@link ProbeStats}' order. */
    static final int STAT_RINGBUF_DROPS = 0;
    static final int STAT_OPENS_MATCHED = 1;
    static final int STAT_OPENS_TRACKED = 2;
    static final int STAT_CLOSES_TRACKED = 3;
    static final int STAT_READS_COUNTED = 4;
    static final int STAT_READ_ERRORS = 5;
    static final int STAT_PENDING_FULL = 6;
    static final int STAT_STATS_FULL = 7;
    static final int STAT_DEVS_WATCHED = 8;

    /** Widths of the rows of {@link NativeProbe#allFileStats}, {@link NativeProbe#trackedFds}, {@link NativeProbe#watchedDevices}. */
    static final int ROW_FILE_FIELDS = 2 + NativeProbe.FILE_STATS_FIELDS;
    static final int ROW_FD_FIELDS = 7;
    static final int ROW_DEV_FIELDS = 2;

    private EventLayout() {
    }

    /** The layout this class decodes, by the names NativeProbe.c reports (see {@code layout_entries} there). */
    static Map<String, Long> expected() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("vmafx_event.size", (long) NativeProbe.EVENT_SIZE);
        field(m, "ts_ns", TS_NS, 8);
        field(m, "dev", DEV, 8);
        field(m, "ino", INO, 8);
        field(m, "kind", KIND, 4);
        field(m, "tgid", TGID, 4);
        field(m, "tid", TID, 4);
        field(m, "ret", RET, 4);
        field(m, "flags", FLAGS, 4);
        field(m, "fs_magic", FS_MAGIC, 4);
        field(m, "ev_flags", EV_FLAGS, 4);
        field(m, "syscall", SYSCALL, 4);
        field(m, "path_len", PATH_LEN, 4);
        field(m, "comm", COMM, COMM_LEN);
        field(m, "path", PATH, NativeProbe.PATH_MAX);
        m.put("VMAFX_ABI_VERSION", (long) NativeProbe.ABI_VERSION);
        m.put("VMAFX_EVENT_SIZE", (long) NativeProbe.EVENT_SIZE);
        m.put("VMAFX_PATH_MAX", (long) NativeProbe.PATH_MAX);
        m.put("VMAFX_COMM_LEN", (long) COMM_LEN);
        m.put("VMAFX_EV_OPEN", (long) NativeProbe.EV_OPEN);
        m.put("VMAFX_EV_CLOSE", (long) NativeProbe.EV_CLOSE);
        m.put("VMAFX_EVF_PATH_TRUNCATED", (long) NativeProbe.EVF_PATH_TRUNCATED);
        m.put("VMAFX_EVF_FUSE", (long) NativeProbe.EVF_FUSE);
        m.put("VMAFX_SYS_OPENAT", (long) SYS_OPENAT);
        m.put("VMAFX_SYS_OPENAT2", (long) SYS_OPENAT2);
        m.put("VMAFX_SYS_OPEN", (long) SYS_OPEN);
        m.put("VMAFX_FUSE_SUPER_MAGIC", NativeProbe.FUSE_SUPER_MAGIC);
        m.put("VMAFX_FILE_STATS_FIELDS", (long) NativeProbe.FILE_STATS_FIELDS);
        m.put("VMAFX_STAT_COUNT", (long) NativeProbe.STAT_COUNT);
        m.put("VMAFX_HIST_SLOTS", (long) NativeProbe.HIST_SLOTS);
        m.put("VMAFX_STAT_RINGBUF_DROPS", (long) STAT_RINGBUF_DROPS);
        m.put("VMAFX_STAT_OPENS_MATCHED", (long) STAT_OPENS_MATCHED);
        m.put("VMAFX_STAT_OPENS_TRACKED", (long) STAT_OPENS_TRACKED);
        m.put("VMAFX_STAT_CLOSES_TRACKED", (long) STAT_CLOSES_TRACKED);
        m.put("VMAFX_STAT_READS_COUNTED", (long) STAT_READS_COUNTED);
        m.put("VMAFX_STAT_READ_ERRORS", (long) STAT_READ_ERRORS);
        m.put("VMAFX_STAT_PENDING_FULL", (long) STAT_PENDING_FULL);
        m.put("VMAFX_STAT_STATS_FULL", (long) STAT_STATS_FULL);
        m.put("VMAFX_STAT_DEVS_WATCHED", (long) STAT_DEVS_WATCHED);
        m.put("ROW_FILE_FIELDS", (long) ROW_FILE_FIELDS);
        m.put("ROW_FD_FIELDS", (long) ROW_FD_FIELDS);
        m.put("ROW_DEV_FIELDS", (long) ROW_DEV_FIELDS);
        m.put("VX_FLAG_LOAD_ONLY", (long) NativeProbe.FLAG_LOAD_ONLY);
        m.put("VX_FLAG_SELFTEST_REJECT", (long) NativeProbe.FLAG_SELFTEST_REJECT);
        m.put("VX_READ_AUTO", (long) ReadPath.AUTO.ordinal());
        m.put("VX_READ_FENTRY", (long) ReadPath.FENTRY.ordinal());
        m.put("VX_READ_TRACEPOINTS", (long) ReadPath.SYSCALL_TRACEPOINTS.ordinal());
        return m;
    }

    private static void field(Map<String, Long> m, String name, int offset, int size) {
        m.put("vmafx_event." + name + ".offset", (long) offset);
        m.put("vmafx_event." + name + ".size", (long) size);
    }

    /** The library's {@code name=value} entries as a map; a malformed entry is kept under its text, valued null. */
    static Map<String, Long> parse(String[] entries) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String e : entries == null ? new String[0] : entries) {
            int eq = e == null ? -1 : e.indexOf('=');
            Long v = null;
            if (eq > 0) {
                try {
                    v = Long.parseLong(e.substring(eq + 1));
                } catch (NumberFormatException ignored) {
                    // kept as null: reported as a difference
                }
            }
            m.put(eq > 0 ? e.substring(0, eq) : String.valueOf(e), v);
        }
        return m;
    }

    /**
     * Empty when the library's layout ({@code NativeProbe.layout()}) is the one this class decodes; otherwise one line
     * naming the first difference and how many there are.
     */
    static Optional<String> mismatch(String[] nativeEntries) {
        Map<String, Long> lib = parse(nativeEntries);
        List<String> diffs = new ArrayList<>();
        for (Map.Entry<String, Long> e : expected().entrySet()) {
            if (!lib.containsKey(e.getKey())) {
                diffs.add(e.getKey() + " is missing in the library");
            } else if (!e.getValue().equals(lib.get(e.getKey()))) {
                diffs.add(e.getKey() + " is " + lib.get(e.getKey()) + " in the library, " + e.getValue() + " here");
            }
        }
        for (String k : lib.keySet()) {
            if (!expected().containsKey(k)) {
                diffs.add(k + " is in the library but not decoded here");
            }
        }
        if (diffs.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("the native library was compiled for another event layout than this class decodes ("
                + diffs.get(0) + (diffs.size() > 1 ? "; " + (diffs.size() - 1) + " more difference(s)" : "")
                + "); rebuild bypass-ebpf-native and bypass-ebpf from the same sources");
    }
}
