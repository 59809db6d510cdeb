/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the BPF program (src/main/bpf/vmafx_probe.bpf.c) and the user-space side (probe.c, NativeProbe.c) share:
 * map keys and values, the ring buffer's event record and the layout of the statistics. Both sides include this
 * file; the BPF side after vmlinux.h, user space after <linux/types.h>.
 *
 * The Java side (io.vmafx.bypass.ebpf.probe.EventLayout) decodes events and arrays by the offsets and indices
 * below. They are checked three times: the _Static_asserts at the end of this file stop a compiler (clang for BPF,
 * gcc for each architecture's JNI library) that lays a struct out differently; NativeProbe.c reports the layout it
 * was compiled with (Java_..._NativeProbe_layout), and the Java side refuses to start the probe when that differs
 * from what it decodes; and bypass-ebpf's NativeLayoutTest compares the two against the built library.
 * A change here is a change in EventLayout.java: keep VMAFX_ABI_VERSION in step with NativeProbe.ABI_VERSION.
 */
#ifndef VMAFX_PROBE_H
#define VMAFX_PROBE_H

#define VMAFX_ABI_VERSION 3

/* The longest mount prefix the probe compares (bytes, without the terminating NUL). */
#define VMAFX_PREFIX_MAX 255
/* Bytes of an opened path kept in an open event (with the terminating NUL); longer paths are cut. */
#define VMAFX_PATH_MAX 512
#define VMAFX_COMM_LEN 16
/* log2 latency histogram: slot i counts reads that took [2^i, 2^(i+1)) nanoseconds (slot 0 also 0 ns). */
#define VMAFX_HIST_SLOTS 64

#define VMAFX_FUSE_SUPER_MAGIC 0x65735546u

/* Event kinds in the ring buffer. */
#define VMAFX_EV_OPEN 1
#define VMAFX_EV_CLOSE 2

/* Event flags. */
#define VMAFX_EVF_PATH_TRUNCATED 1u /* the path filled the buffer: it may be longer than what the event holds */
#define VMAFX_EVF_FUSE 2u           /* the opened file is on a FUSE file system */

/* Which open syscall an open event comes from. */
#define VMAFX_SYS_OPENAT 1
#define VMAFX_SYS_OPENAT2 2
#define VMAFX_SYS_OPEN 3

/* A file, as stat(2) names it: st_dev in glibc's makedev() encoding (what Java's "unix:dev" returns) and st_ino. */
struct vmafx_file_key {
	__u64 dev;
	__u64 ino;
};

/* Per-file read counters (map file_stats). Latencies are enter-to-exit of the read, in nanoseconds. */
struct vmafx_file_stats {
	__u64 bytes;        /* bytes returned by successful reads */
	__u64 reads;        /* read calls that returned (successful or not) */
	__u64 errors;       /* read calls that returned an error */
	__u64 lat_total_ns; /* sum of read latencies */
	__u64 lat_max_ns;   /* slowest read */
	__u64 first_ns;     /* CLOCK_MONOTONIC time of the first counted read */
	__u64 last_ns;      /* ... and of the last */
};
#define VMAFX_FILE_STATS_FIELDS 7

/* A (process, descriptor) that opened a file under the prefix (map tracked_fds). */
struct vmafx_fd_key {
	__u32 tgid;
	__s32 fd;
};

struct vmafx_fd_info {
	__u64 dev;
	__u64 ino;
	__u64 opened_ns;
	__u32 tid;
	__u32 fs_magic;
};

/* An open that matched the prefix, between syscall entry and exit (map pending_opens, per thread). */
struct vmafx_pending_open {
	__u64 ts_ns;
	__u32 flags;   /* open flags (O_*) */
	__u32 syscall; /* VMAFX_SYS_* */
	__u32 path_len; /* bytes in path including the NUL, as bpf_probe_read_user_str returned */
	__u32 _pad;
	char path[VMAFX_PATH_MAX];
};

/* A read of a watched FUSE file between entry and return (map inflight_reads, per thread). */
struct vmafx_inflight_read {
	__u64 dev;
	__u64 ino;
	__u64 start_ns;
};

/* One ring buffer record. Fixed size; the Java side reads it at these offsets (little or big endian: native). */
struct vmafx_event {
	__u64 ts_ns;     /*  0: CLOCK_MONOTONIC nanoseconds (bpf_ktime_get_ns) */
	__u64 dev;       /*  8: st_dev of the opened file, 0 when the open failed */
	__u64 ino;       /* 16: st_ino of the opened file, 0 when the open failed */
	__u32 kind;      /* 24: VMAFX_EV_* */
	__u32 tgid;      /* 28: process id */
	__u32 tid;       /* 32: thread id */
	__s32 ret;       /* 36: the descriptor (>= 0), or -errno when the open failed; for close, the descriptor */
	__u32 flags;     /* 40: open flags (O_*) */
	__u32 fs_magic;  /* 44: superblock magic of the opened file's file system */
	__u32 ev_flags;  /* 48: VMAFX_EVF_* */
	__u32 syscall;   /* 52: VMAFX_SYS_* */
	__u32 path_len;  /* 56: bytes of path used, including the NUL (0 for close) */
	__u32 _pad;      /* 60 */
	char comm[VMAFX_COMM_LEN]; /* 64 */
	char path[VMAFX_PATH_MAX]; /* 80 */
};                               /* 592 bytes */
#define VMAFX_EVENT_SIZE 592

/* Where the Java side reads each field of struct vmafx_event (EventLayout.java), asserted below. */
#define VMAFX_EVENT_OFF_TS_NS 0
#define VMAFX_EVENT_OFF_DEV 8
#define VMAFX_EVENT_OFF_INO 16
#define VMAFX_EVENT_OFF_KIND 24
#define VMAFX_EVENT_OFF_TGID 28
#define VMAFX_EVENT_OFF_TID 32
#define VMAFX_EVENT_OFF_RET 36
#define VMAFX_EVENT_OFF_FLAGS 40
#define VMAFX_EVENT_OFF_FS_MAGIC 44
#define VMAFX_EVENT_OFF_EV_FLAGS 48
#define VMAFX_EVENT_OFF_SYSCALL 52
#define VMAFX_EVENT_OFF_PATH_LEN 56
#define VMAFX_EVENT_OFF_PAD 60
#define VMAFX_EVENT_OFF_COMM 64
#define VMAFX_EVENT_OFF_PATH 80

/* Indices of the program's statistics (array `stats` in .bss) as the Java side reads them. */
#define VMAFX_STAT_RINGBUF_DROPS 0   /* open/close events lost because the ring buffer was full */
#define VMAFX_STAT_OPENS_MATCHED 1   /* open calls whose path starts with the prefix */
#define VMAFX_STAT_OPENS_TRACKED 2   /* ... that succeeded and are now tracked by (tgid, fd) */
#define VMAFX_STAT_CLOSES_TRACKED 3  /* close calls of a tracked descriptor */
#define VMAFX_STAT_READS_COUNTED 4   /* reads of watched FUSE files counted */
#define VMAFX_STAT_READ_ERRORS 5     /* ... that returned an error */
#define VMAFX_STAT_PENDING_FULL 6    /* opens or reads not followed because a per-thread map was full */
#define VMAFX_STAT_STATS_FULL 7      /* per-file counters that could not be created */
#define VMAFX_STAT_DEVS_WATCHED 8    /* FUSE devices the program added to the watch list itself */
#define VMAFX_STAT_COUNT 16

/*
 * Layout assertions: every struct shared between the BPF object and user space, as both compilers see it. The BPF
 * side and the JNI library are compiled by different compilers for different targets (clang -target bpf; gcc or
 * aarch64-linux-gnu-gcc), and a map value or ring buffer record they disagree on is read as garbage, silently.
 */
#define VMAFX_ASSERT_FIELD(type, field, off, size)                                                        \
	_Static_assert(__builtin_offsetof(struct type, field) == (off), #type "." #field " is not at " #off); \
	_Static_assert(sizeof(((struct type *)0)->field) == (size), #type "." #field " is not " #size " bytes")
#define VMAFX_ASSERT_SIZE(type, size) _Static_assert(sizeof(struct type) == (size), "struct " #type " is not " #size " bytes")

VMAFX_ASSERT_SIZE(vmafx_file_key, 16);
VMAFX_ASSERT_FIELD(vmafx_file_key, dev, 0, 8);
VMAFX_ASSERT_FIELD(vmafx_file_key, ino, 8, 8);

VMAFX_ASSERT_SIZE(vmafx_file_stats, 8 * VMAFX_FILE_STATS_FIELDS);
VMAFX_ASSERT_FIELD(vmafx_file_stats, bytes, 0, 8);
VMAFX_ASSERT_FIELD(vmafx_file_stats, reads, 8, 8);
VMAFX_ASSERT_FIELD(vmafx_file_stats, errors, 16, 8);
VMAFX_ASSERT_FIELD(vmafx_file_stats, lat_total_ns, 24, 8);
VMAFX_ASSERT_FIELD(vmafx_file_stats, lat_max_ns, 32, 8);
VMAFX_ASSERT_FIELD(vmafx_file_stats, first_ns, 40, 8);
VMAFX_ASSERT_FIELD(vmafx_file_stats, last_ns, 48, 8);

VMAFX_ASSERT_SIZE(vmafx_fd_key, 8);
VMAFX_ASSERT_FIELD(vmafx_fd_key, tgid, 0, 4);
VMAFX_ASSERT_FIELD(vmafx_fd_key, fd, 4, 4);

VMAFX_ASSERT_SIZE(vmafx_fd_info, 32);
VMAFX_ASSERT_FIELD(vmafx_fd_info, dev, 0, 8);
VMAFX_ASSERT_FIELD(vmafx_fd_info, ino, 8, 8);
VMAFX_ASSERT_FIELD(vmafx_fd_info, opened_ns, 16, 8);
VMAFX_ASSERT_FIELD(vmafx_fd_info, tid, 24, 4);
VMAFX_ASSERT_FIELD(vmafx_fd_info, fs_magic, 28, 4);

VMAFX_ASSERT_SIZE(vmafx_pending_open, 24 + VMAFX_PATH_MAX);
VMAFX_ASSERT_FIELD(vmafx_pending_open, ts_ns, 0, 8);
VMAFX_ASSERT_FIELD(vmafx_pending_open, flags, 8, 4);
VMAFX_ASSERT_FIELD(vmafx_pending_open, syscall, 12, 4);
VMAFX_ASSERT_FIELD(vmafx_pending_open, path_len, 16, 4);
VMAFX_ASSERT_FIELD(vmafx_pending_open, _pad, 20, 4);
VMAFX_ASSERT_FIELD(vmafx_pending_open, path, 24, VMAFX_PATH_MAX);

VMAFX_ASSERT_SIZE(vmafx_inflight_read, 24);
VMAFX_ASSERT_FIELD(vmafx_inflight_read, dev, 0, 8);
VMAFX_ASSERT_FIELD(vmafx_inflight_read, ino, 8, 8);
VMAFX_ASSERT_FIELD(vmafx_inflight_read, start_ns, 16, 8);

VMAFX_ASSERT_SIZE(vmafx_event, VMAFX_EVENT_SIZE);
VMAFX_ASSERT_FIELD(vmafx_event, ts_ns, VMAFX_EVENT_OFF_TS_NS, 8);
VMAFX_ASSERT_FIELD(vmafx_event, dev, VMAFX_EVENT_OFF_DEV, 8);
VMAFX_ASSERT_FIELD(vmafx_event, ino, VMAFX_EVENT_OFF_INO, 8);
VMAFX_ASSERT_FIELD(vmafx_event, kind, VMAFX_EVENT_OFF_KIND, 4);
VMAFX_ASSERT_FIELD(vmafx_event, tgid, VMAFX_EVENT_OFF_TGID, 4);
VMAFX_ASSERT_FIELD(vmafx_event, tid, VMAFX_EVENT_OFF_TID, 4);
VMAFX_ASSERT_FIELD(vmafx_event, ret, VMAFX_EVENT_OFF_RET, 4);
VMAFX_ASSERT_FIELD(vmafx_event, flags, VMAFX_EVENT_OFF_FLAGS, 4);
VMAFX_ASSERT_FIELD(vmafx_event, fs_magic, VMAFX_EVENT_OFF_FS_MAGIC, 4);
VMAFX_ASSERT_FIELD(vmafx_event, ev_flags, VMAFX_EVENT_OFF_EV_FLAGS, 4);
VMAFX_ASSERT_FIELD(vmafx_event, syscall, VMAFX_EVENT_OFF_SYSCALL, 4);
VMAFX_ASSERT_FIELD(vmafx_event, path_len, VMAFX_EVENT_OFF_PATH_LEN, 4);
VMAFX_ASSERT_FIELD(vmafx_event, _pad, VMAFX_EVENT_OFF_PAD, 4);
VMAFX_ASSERT_FIELD(vmafx_event, comm, VMAFX_EVENT_OFF_COMM, VMAFX_COMM_LEN);
VMAFX_ASSERT_FIELD(vmafx_event, path, VMAFX_EVENT_OFF_PATH, VMAFX_PATH_MAX);
/* The last field ends the record: no tail padding a compiler could add or drop. */
_Static_assert(VMAFX_EVENT_OFF_PATH + VMAFX_PATH_MAX == VMAFX_EVENT_SIZE, "struct vmafx_event has tail padding");
/* The statistics' indices fit the array. */
_Static_assert(VMAFX_STAT_DEVS_WATCHED < VMAFX_STAT_COUNT, "VMAFX_STAT_* beyond VMAFX_STAT_COUNT");
_Static_assert((VMAFX_HIST_SLOTS & (VMAFX_HIST_SLOTS - 1)) == 0, "VMAFX_HIST_SLOTS is not a power of two (the BPF side masks with it)");
_Static_assert((VMAFX_PATH_MAX & (VMAFX_PATH_MAX - 1)) == 0, "VMAFX_PATH_MAX is not a power of two (the BPF side masks with it)");

#endif
