package io.vmafx.bypass.ebpf.probe;

/**
 * The native methods of the probe, implemented in {@code bypass-ebpf-native/src/main/c/NativeProbe.c} over libbpf.
 *
 * <p>Loading the library never throws from here: {@link #IS_SUPPORTED} says whether it loaded and
 * {@link #LOAD_ERROR} why not. Callers check {@link #IS_SUPPORTED} before any native call; {@link ProbeSession} is
 * the thread-safe API over these methods, which take a handle that the caller must serialise and never use after
 * {@link #stop}.
 */
final class NativeProbe {

    /** Must equal {@code VMAFX_ABI_VERSION} in vmafx_probe.h: the event layout and array orders below. */
    static final int ABI_VERSION = 3;

    /** Start flags (probe.h). */
    static final int FLAG_LOAD_ONLY = 1;
    static final int FLAG_SELFTEST_REJECT = 2;

    /** {@code struct vmafx_event} (vmafx_probe.h), as {@link #poll} returns it; its fields: {@link EventLayout}. */
    static final int EVENT_SIZE = 592;
    static final int EV_OPEN = 1;
    static final int EV_CLOSE = 2;
    static final int EVF_PATH_TRUNCATED = 1;
    static final int EVF_FUSE = 2;
    static final int PATH_MAX = 512;
    static final int FILE_STATS_FIELDS = 7;
    static final int STAT_COUNT = 16;
    static final int HIST_SLOTS = 64;
    static final long FUSE_SUPER_MAGIC = 0x65735546L;

    /** Whether the native library loaded and matches this class. */
    static final boolean IS_SUPPORTED;
    /** Why it did not, or {@code null}. */
    static final String LOAD_ERROR;

    private static final System.Logger LIBBPF = System.getLogger("io.vmafx.bypass.ebpf.probe.libbpf");

    static {
        String error = null;
        try {
            NativeLoader.load();
            int abi = abiVersion();
            if (abi != ABI_VERSION) {
                error = "the native library speaks ABI " + abi + ", this class " + ABI_VERSION
                        + " (a stale -D" + NativeLoader.LIBRARY_PROPERTY + "?)";
            } else {
                error = EventLayout.mismatch(layout()).orElse(null);
            }
        } catch (NativeLoader.LoadException e) {
            error = e.getMessage();
        } catch (UnsatisfiedLinkError | SecurityException e) {
            error = "the native library does not fit this class: " + e;
        }
        LOAD_ERROR = error;
        IS_SUPPORTED = error == null;
    }

    private NativeProbe() {
    }

    /** Called by NativeProbe.c for each message of libbpf; level is libbpf's (0 warn, 1 info, 2 debug). */
    @SuppressWarnings("unused")
    private static void libbpfLog(int level, String message) {
        System.Logger.Level l = switch (level) {
            case 0 -> System.Logger.Level.WARNING;
            case 1 -> System.Logger.Level.INFO;
            default -> System.Logger.Level.DEBUG;
        };
        if (LIBBPF.isLoggable(l)) {
            LIBBPF.log(l, message);
        }
    }

    static native int abiVersion();

    /**
     * The layout the library was compiled with, as {@code name=value} entries: the offset and size of each field of
     * {@code struct vmafx_event}, its size, and the constants and indices the arrays below are read by. Checked by
     * {@link EventLayout#mismatch} when this class loads.
     */
    static native String[] layout();

    static native String libbpfVersion();

    /**
     * Loads and (unless {@link #FLAG_LOAD_ONLY}) attaches; returns the handle. prefix: the normalised prefix in UTF-8;
     * readPath: {@link ReadPath#ordinal()}.
     */
    static native long start(byte[] prefix, int readPath, int flags) throws ProbeException;

    static native int readPath(long handle);

    static native String readPathNote(long handle);

    /** The events in the ring buffer ({@link #EVENT_SIZE} bytes each, native order), waiting up to timeoutMs. */
    static native byte[] poll(long handle, int timeoutMs) throws ProbeException;

    /** {bytes, reads, errors, latTotalNs, latMaxNs, firstNs, lastNs}, or null. */
    static native long[] fileStats(long handle, long dev, long ino) throws ProbeException;

    /** {dev, ino, bytes, reads, errors, latTotalNs, latMaxNs, firstNs, lastNs}*. */
    static native long[] allFileStats(long handle) throws ProbeException;

    /** {tgid, fd, tid, dev, ino, fsMagic, openedNs}*. */
    static native long[] trackedFds(long handle) throws ProbeException;

    /** {dev, addedNs}*. */
    static native long[] watchedDevices(long handle) throws ProbeException;

    static native void watchDevice(long handle, long dev, boolean watch) throws ProbeException;

    /** The VMAFX_STAT_* counters. */
    static native long[] stats(long handle);

    /** The log2 latency histogram, {@link #HIST_SLOTS} slots. */
    static native long[] histogram(long handle);

    /** Detaches and frees; the handle is gone afterwards. */
    static native void stop(long handle);
}
