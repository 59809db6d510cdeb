package io.vmafx.bypass.ebpf.probe;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * An open under the mount prefix, or the close of a descriptor such an open returned, as the probe saw it.
 *
 * <p>Opens come from {@code openat}, {@code openat2} and (on x86_64) {@code open} with an absolute path that is the
 * prefix or below it; an open by a relative path is not seen (the probe cannot resolve it). Failed opens are
 * events too ({@link #errno()} &gt; 0).
 *
 * @param kind           open or close
 * @param monotonicNanos CLOCK_MONOTONIC time of the syscall's return (open) or entry (close)
 * @param pid            the process (tgid)
 * @param tid            the thread
 * @param fd             the descriptor, or -1 when the open failed
 * @param errno          0, or the open's error number
 * @param openFlags      the open's flags (O_*); 0 for a close
 * @param file           st_dev/st_ino of the opened file; (0, 0) when the open failed
 * @param fuse           whether the file is on a FUSE file system
 * @param fsMagic        the file system's superblock magic
 * @param command        the thread's comm
 * @param path           the path as the process passed it (for a close: empty)
 * @param pathTruncated  whether the path was longer than the probe keeps (511 bytes)
 * @param syscall        {@code openat}, {@code openat2}, {@code open}, or {@code close}
 */
public record OpenEvent(Kind kind, long monotonicNanos, int pid, int tid, int fd, int errno, int openFlags,
                        FileKey file, boolean fuse, long fsMagic, String command, String path, boolean pathTruncated,
                        String syscall) {

    public enum Kind { OPEN, CLOSE }

    /** Whether the open succeeded (always true for a close). */
    public boolean succeeded() {
        return errno == 0;
    }

    /** Decodes the record at {@code offset} of what NativeProbe.poll returned (native byte order). */
    static OpenEvent decode(byte[] data, int offset) {
        ByteBuffer b = ByteBuffer.wrap(data, offset, NativeProbe.EVENT_SIZE).slice().order(ByteOrder.nativeOrder());
        long ts = b.getLong(EventLayout.TS_NS);
        long dev = b.getLong(EventLayout.DEV);
        long ino = b.getLong(EventLayout.INO);
        int kind = b.getInt(EventLayout.KIND);
        int tgid = b.getInt(EventLayout.TGID);
        int tid = b.getInt(EventLayout.TID);
        int ret = b.getInt(EventLayout.RET);
        int flags = b.getInt(EventLayout.FLAGS);
        long magic = Integer.toUnsignedLong(b.getInt(EventLayout.FS_MAGIC));
        int evFlags = b.getInt(EventLayout.EV_FLAGS);
        int sys = b.getInt(EventLayout.SYSCALL);
        int pathLen = Math.min(Math.max(b.getInt(EventLayout.PATH_LEN), 0), NativeProbe.PATH_MAX);
        String comm = cString(data, offset + EventLayout.COMM, EventLayout.COMM_LEN);
        String path = cString(data, offset + EventLayout.PATH, pathLen);
        boolean open = kind == NativeProbe.EV_OPEN;
        return new OpenEvent(open ? Kind.OPEN : Kind.CLOSE, ts, tgid, tid,
                open && ret < 0 ? -1 : ret, open && ret < 0 ? -ret : 0, flags, new FileKey(dev, ino),
                (evFlags & NativeProbe.EVF_FUSE) != 0, magic, comm, path,
                (evFlags & NativeProbe.EVF_PATH_TRUNCATED) != 0, open ? syscallName(sys) : "close");
    }

    private static String syscallName(int sys) {
        return switch (sys) {
            case EventLayout.SYS_OPENAT -> "openat";
            case EventLayout.SYS_OPENAT2 -> "openat2";
            case EventLayout.SYS_OPEN -> "open";
            default -> "open?" + sys;
        };
    }

    private static String cString(byte[] data, int offset, int max) {
        int n = 0;
        while (n < max && data[offset + n] != 0) {
            n++;
        }
        return new String(data, offset, n, StandardCharsets.UTF_8);
    }
}
