/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The probe's user-space side over libbpf, free of JNI: load and attach the BPF program (embedded through its
 * libbpf skeleton) for a mount prefix, read its maps, detach. NativeProbe.c is the JNI glue over this.
 *
 * Not thread-safe per probe: the caller serialises calls on one probe (the Java side does, with a lock), and only
 * one thread at a time may call vx_probe_poll. Different probes are independent.
 */
#ifndef VMAFX_PROBE_API_H
#define VMAFX_PROBE_API_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "vmafx_probe.h"

/* Read paths (the Java enum ReadPath has the same ordinals). */
#define VX_READ_AUTO 0        /* fentry/fexit when the kernel allows it, else the read syscalls' tracepoints */
#define VX_READ_FENTRY 1      /* fentry/fexit on vfs_read and vfs_readv, or fail */
#define VX_READ_TRACEPOINTS 2 /* tracepoints of read, pread64, readv, preadv, preadv2 */

/* Start flags. */
#define VX_FLAG_LOAD_ONLY 1        /* load into the kernel (the verifier runs) but attach nothing: a trial load */
#define VX_FLAG_SELFTEST_REJECT 2  /* also load a program the verifier must refuse (tests only) */

/* libbpf's levels, as the log sink gets them. */
#define VX_LOG_WARN 0
#define VX_LOG_INFO 1
#define VX_LOG_DEBUG 2

struct vx_probe;

/* Why a call failed. Free with vx_error_clear. */
struct vx_error {
	int err;             /* positive errno */
	char what[512];      /* what failed, e.g. "attaching tracepoint syscalls/sys_enter_openat (program vmafx_openat_e)" */
	char *verifier_log;  /* the verifier's log when the kernel rejected a program, else NULL */
	char *libbpf_log;    /* everything libbpf said during the failed call, else NULL */
};

void vx_error_clear(struct vx_error *e);

/* Where libbpf's messages go (besides being captured for errors). Called on the thread that called into the probe. */
typedef void (*vx_log_sink)(int level, const char *message);
void vx_set_log_sink(vx_log_sink sink);

/*
 * Loads the program for prefix (absolute, no trailing slash unless it is "/", at most VMAFX_PREFIX_MAX bytes) and
 * attaches it (unless VX_FLAG_LOAD_ONLY). Returns 0 and *out, or -errno with err filled.
 */
int vx_probe_start(const char *prefix, int read_path, int flags, struct vx_probe **out, struct vx_error *err);

/* The read path in use (VX_READ_FENTRY or VX_READ_TRACEPOINTS). */
int vx_probe_read_path(const struct vx_probe *p);

/* Why fentry/fexit is not in use when VX_READ_AUTO fell back to tracepoints, else "". */
const char *vx_probe_read_path_note(const struct vx_probe *p);

/* Calls fn for each open/close event waiting in the ring buffer, waiting up to timeout_ms for the first one.
 * Returns the number of events, or -errno. */
typedef void (*vx_event_fn)(void *ctx, const struct vmafx_event *e);
int vx_probe_poll(struct vx_probe *p, int timeout_ms, vx_event_fn fn, void *ctx);

/* The counters of one file; 0, or -ENOENT when the file has none (no read counted, or evicted). */
int vx_probe_file_stats(struct vx_probe *p, __u64 dev, __u64 ino, struct vmafx_file_stats *out);

/* Every file's counters / every tracked descriptor / every watched device. fn returns false to stop. */
typedef bool (*vx_file_fn)(void *ctx, const struct vmafx_file_key *key, const struct vmafx_file_stats *stats);
typedef bool (*vx_fd_fn)(void *ctx, const struct vmafx_fd_key *key, const struct vmafx_fd_info *info);
typedef bool (*vx_dev_fn)(void *ctx, __u64 dev, __u64 added_ns);
int vx_probe_for_each_file(struct vx_probe *p, vx_file_fn fn, void *ctx);
int vx_probe_for_each_fd(struct vx_probe *p, vx_fd_fn fn, void *ctx);
int vx_probe_for_each_dev(struct vx_probe *p, vx_dev_fn fn, void *ctx);

/* Adds (watch) or removes a device (st_dev) from the devices whose FUSE files' reads are counted. 0 or -errno. */
int vx_probe_watch_dev(struct vx_probe *p, __u64 dev, bool watch, struct vx_error *err);

/* The program's statistics (VMAFX_STAT_*) and the latency histogram, read from its .bss. */
void vx_probe_stats(const struct vx_probe *p, __u64 out[VMAFX_STAT_COUNT]);
void vx_probe_histogram(const struct vx_probe *p, __u64 out[VMAFX_HIST_SLOTS]);

/* Detaches every program and frees everything. NULL is fine. */
void vx_probe_stop(struct vx_probe *p);

#endif
