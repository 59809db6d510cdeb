// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vmafx FUSE read probe: which processes open files under the mount prefix, and how many bytes, read calls and
 * how much read latency go through the FUSE files on the mounts below it.
 *
 * Purely observational: it reads kernel and user memory (probe reads) and writes only its own maps.
 *
 * Opens:  syscalls openat, openat2 and (where the architecture has it) open, entry and exit. At entry the user
 *         path is read and compared with the prefix (bounded loop over at most VMAFX_PREFIX_MAX bytes, on a path
 *         boundary: "/p" matches "/p" and "/p/x", not "/px"). Only absolute paths can be compared: a path
 *         relative to a directory descriptor or the working directory is not resolved here and never matches.
 *         At exit a successful open is tracked by (tgid, fd) with the file's st_dev/st_ino, an open event goes
 *         to the ring buffer (failed opens too, with -errno) and, when the file is on FUSE, its device joins the
 *         watch list. close(2) of a tracked descriptor ends the tracking and sends a close event.
 * Reads:  the reads of every file on a watched FUSE device (superblock magic FUSE_SUPER_MAGIC), whatever
 *         descriptor or process they come through, are counted per file (st_dev, st_ino): bytes, calls, errors,
 *         total and worst latency, plus a log2 latency histogram of all of them. Two read paths, one per load:
 *         - fentry/fexit on vfs_read and vfs_readv (read, pread64, readv, preadv, preadv2 all end there), the
 *           file straight from the arguments;
 *         - where the kernel refuses fentry/fexit programs, the same five syscalls' tracepoints, entry and exit,
 *           the file found from the descriptor through the task's file table.
 *         Not counted on either path: mmap page faults, splice/sendfile/copy_file_range and io_uring reads.
 *
 * The user-space side (probe.c) chooses the read path, sets the prefix in .rodata before loading, and reads
 * the maps and the statistics in .bss.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vmafx_probe.h"

/* vmlinux.h must be the target architecture's (the Makefile picks vmlinux/<arch>/vmlinux.h): its pt_regs is what
 * the architecture's syscall and tracing conventions are written against. */
#if defined(__TARGET_ARCH_x86)
_Static_assert(sizeof(((struct pt_regs *)0)->r15) == 8, "vmlinux.h is not x86_64's: compile with vmlinux/x86_64");
#elif defined(__TARGET_ARCH_arm64)
_Static_assert(sizeof(struct user_pt_regs) == 34 * 8, "vmlinux.h is not aarch64's: compile with vmlinux/aarch64");
#else
#error "set __TARGET_ARCH_x86 or __TARGET_ARCH_arm64 (the Makefile does)"
#endif

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space before the load; the verifier then sees them as constants. */
const volatile __u32 prefix_len = 0;
const volatile char prefix[VMAFX_PREFIX_MAX + 1] = {};

/* Read by user space through the memory-mapped .bss. */
__u64 stats[VMAFX_STAT_COUNT] = {};
__u64 lat_hist[VMAFX_HIST_SLOTS] = {};
/* Reads of watched files in flight (entries in inflight_reads this program put there and has not taken out yet).
 * While it is 0, a read's end needs no map lookup: the common case on a node, whose processes read many files,
 * few of them on FUSE. An entry the LRU map drops is never taken out, so the count can only stay too high (the
 * lookups are made again), never too low: a thread's own begin is counted before its end reads the count. */
__u64 reads_in_flight = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* Per-CPU room for reading a path (too large for the 512-byte BPF stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vmafx_pending_open);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* pid_tgid: one open in flight per thread */
	__type(value, struct vmafx_pending_open);
} pending_opens SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct vmafx_fd_key);
	__type(value, struct vmafx_fd_info);
} tracked_fds SEC(".maps");

/* FUSE devices whose files' reads are counted; the program adds the ones it sees opened under the prefix, user
 * space adds others (a file it stat()ed on a mount, whatever path ffmpeg will use). Value: time added. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} watched_devs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct vmafx_file_key);
	__type(value, struct vmafx_file_stats);
} file_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* pid_tgid: one read in flight per thread */
	__type(value, struct vmafx_inflight_read);
} inflight_reads SEC(".maps");

static __always_inline void stat_inc(__u32 idx)
{
	if (idx < VMAFX_STAT_COUNT)
		__sync_fetch_and_add(&stats[idx], 1);
}

/* The kernel's dev_t (major << 20 | minor) as stat(2) reports it through glibc: makedev(major, minor). */
static __always_inline __u64 user_dev(__u32 kdev)
{
	__u64 major = kdev >> 20, minor = kdev & 0xfffff;
	return ((major & 0xfffff000ULL) << 32) | ((major & 0xfffULL) << 8) |
	       ((minor & 0xffffff00ULL) << 12) | (minor & 0xffULL);
}

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0, s;
	s = (v > 0xffffffffULL) << 5; v >>= s; r |= s;
	s = (v > 0xffffULL) << 4; v >>= s; r |= s;
	s = (v > 0xffULL) << 3; v >>= s; r |= s;
	s = (v > 0xfULL) << 2; v >>= s; r |= s;
	s = (v > 0x3ULL) << 1; v >>= s; r |= s;
	r |= (__u32)(v >> 1);
	return r;
}

/* The struct file behind descriptor fd of the current process, or NULL. */
static __always_inline struct file *fd_file(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *f = NULL;
	unsigned int max;

	if (!fdt || fd < 0)
		return NULL;
	max = BPF_CORE_READ(fdt, max_fds);
	if ((unsigned long)fd >= max)
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (!fds)
		return NULL;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]))
		return NULL;
	return f;
}

/* The file system's magic of an open file, and (only when it is want_magic, or want_magic is 0) its st_dev and
 * st_ino: most files a read tracepoint sees are not on FUSE, and for those two kernel reads are saved. */
static __always_inline int file_ident(struct file *f, __u32 want_magic, __u64 *dev, __u64 *ino, __u32 *magic)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	struct super_block *sb;

	if (!inode)
		return -1;
	sb = BPF_CORE_READ(inode, i_sb);
	if (!sb)
		return -1;
	*magic = (__u32)BPF_CORE_READ(sb, s_magic);
	if (want_magic && *magic != want_magic)
		return 0;
	*dev = user_dev(BPF_CORE_READ(sb, s_dev));
	*ino = BPF_CORE_READ(inode, i_ino);
	return 0;
}

/* Whether path (NUL-terminated, in a VMAFX_PATH_MAX buffer) is the prefix or below it. */
static __always_inline bool under_prefix(const char *path)
{
	__u32 n = prefix_len;
	char c;

	if (path[0] != '/') /* relative to a descriptor or the working directory: cannot be matched here */
		return false;
	if (n == 0 || n > VMAFX_PREFIX_MAX)
		return false;
	for (__u32 i = 0; i < VMAFX_PREFIX_MAX; i++) {
		if (i >= n)
			break;
		if (path[i] != prefix[i])
			return false;
	}
	if (n == 1) /* the prefix "/" */
		return true;
	c = path[n & (VMAFX_PATH_MAX - 1)];
	return c == '/' || c == '\0';
}

static __always_inline int open_enter(const char *upath, __u32 flags, __u32 syscall)
{
	__u32 zero = 0;
	struct vmafx_pending_open *p = bpf_map_lookup_elem(&scratch, &zero);
	__u64 id;
	long n;

	if (!p)
		return 0;
	n = bpf_probe_read_user_str(p->path, sizeof(p->path), upath);
	if (n <= 0)
		return 0;
	if (!under_prefix(p->path))
		return 0;
	p->path_len = (__u32)n;
	p->flags = flags;
	p->syscall = syscall;
	p->ts_ns = bpf_ktime_get_ns();
	stat_inc(VMAFX_STAT_OPENS_MATCHED);
	id = bpf_get_current_pid_tgid();
	if (bpf_map_update_elem(&pending_opens, &id, p, BPF_ANY))
		stat_inc(VMAFX_STAT_PENDING_FULL);
	return 0;
}

static __always_inline int open_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct vmafx_pending_open *p = bpf_map_lookup_elem(&pending_opens, &id);
	struct vmafx_event *e;
	__u64 dev = 0, ino = 0, now;
	__u32 magic = 0, len;

	if (!p)
		return 0;
	now = bpf_ktime_get_ns();
	if (ret >= 0) {
		struct file *f = fd_file(ret);
		struct vmafx_fd_key k = { .tgid = id >> 32, .fd = (__s32)ret };
		struct vmafx_fd_info v = {};

		if (f)
			file_ident(f, 0, &dev, &ino, &magic);
		v.dev = dev;
		v.ino = ino;
		v.opened_ns = now;
		v.tid = (__u32)id;
		v.fs_magic = magic;
		bpf_map_update_elem(&tracked_fds, &k, &v, BPF_ANY);
		stat_inc(VMAFX_STAT_OPENS_TRACKED);
		if (magic == VMAFX_FUSE_SUPER_MAGIC && !bpf_map_lookup_elem(&watched_devs, &dev)) {
			if (!bpf_map_update_elem(&watched_devs, &dev, &now, BPF_NOEXIST))
				stat_inc(VMAFX_STAT_DEVS_WATCHED);
		}
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(VMAFX_STAT_RINGBUF_DROPS);
	} else {
		e->ts_ns = now;
		e->dev = dev;
		e->ino = ino;
		e->kind = VMAFX_EV_OPEN;
		e->tgid = id >> 32;
		e->tid = (__u32)id;
		e->ret = (__s32)ret;
		e->flags = p->flags;
		e->fs_magic = magic;
		e->syscall = p->syscall;
		e->_pad = 0;
		len = p->path_len;
		e->ev_flags = (magic == VMAFX_FUSE_SUPER_MAGIC ? VMAFX_EVF_FUSE : 0) |
			      (len >= VMAFX_PATH_MAX ? VMAFX_EVF_PATH_TRUNCATED : 0);
		if (len > VMAFX_PATH_MAX)
			len = VMAFX_PATH_MAX;
		e->path_len = len;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		if (len > 0)
			bpf_probe_read_kernel(e->path, len, p->path);
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&pending_opens, &id);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int vmafx_openat_e(struct trace_event_raw_sys_enter *ctx)
{
	return open_enter((const char *)ctx->args[1], (__u32)ctx->args[2], VMAFX_SYS_OPENAT);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int vmafx_openat_x(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int vmafx_openat2_e(struct trace_event_raw_sys_enter *ctx)
{
	__u64 flags = 0;
	struct open_how *how = (struct open_how *)ctx->args[2];

	bpf_probe_read_user(&flags, sizeof(flags), &how->flags);
	return open_enter((const char *)ctx->args[1], (__u32)flags, VMAFX_SYS_OPENAT2);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int vmafx_openat2_x(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx->ret);
}

/* open(2) exists on x86_64 but not on arm64; user space loads these only where the tracepoint exists. Old static
 * binaries (the ffmpeg in .tools) call it rather than openat. */
SEC("tracepoint/syscalls/sys_enter_open")
int vmafx_open_e(struct trace_event_raw_sys_enter *ctx)
{
	return open_enter((const char *)ctx->args[0], (__u32)ctx->args[1], VMAFX_SYS_OPEN);
}

SEC("tracepoint/syscalls/sys_exit_open")
int vmafx_open_x(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_close")
int vmafx_close_e(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct vmafx_fd_key k = { .tgid = id >> 32, .fd = (__s32)ctx->args[0] };
	struct vmafx_fd_info *v = bpf_map_lookup_elem(&tracked_fds, &k);
	struct vmafx_event *e;

	if (!v)
		return 0;
	stat_inc(VMAFX_STAT_CLOSES_TRACKED);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(VMAFX_STAT_RINGBUF_DROPS);
	} else {
		e->ts_ns = bpf_ktime_get_ns();
		e->dev = v->dev;
		e->ino = v->ino;
		e->kind = VMAFX_EV_CLOSE;
		e->tgid = id >> 32;
		e->tid = (__u32)id;
		e->ret = k.fd;
		e->flags = 0;
		e->fs_magic = v->fs_magic;
		e->ev_flags = v->fs_magic == VMAFX_FUSE_SUPER_MAGIC ? VMAFX_EVF_FUSE : 0;
		e->syscall = 0;
		e->path_len = 0;
		e->_pad = 0;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&tracked_fds, &k);
	return 0;
}

/* A read of f begins: remember it for this thread when f is a file on a watched FUSE device. */
static __always_inline int read_begin(struct file *f)
{
	struct vmafx_inflight_read r = {};
	__u64 id;
	__u32 magic = 0;

	if (!f || file_ident(f, VMAFX_FUSE_SUPER_MAGIC, &r.dev, &r.ino, &magic) || magic != VMAFX_FUSE_SUPER_MAGIC)
		return 0;
	if (!bpf_map_lookup_elem(&watched_devs, &r.dev))
		return 0;
	r.start_ns = bpf_ktime_get_ns();
	id = bpf_get_current_pid_tgid();
	if (bpf_map_lookup_elem(&inflight_reads, &id)) {
		/* a begin without an end (cannot happen for one thread; kept exact anyway): replace it, count unchanged */
		bpf_map_update_elem(&inflight_reads, &id, &r, BPF_ANY);
		return 0;
	}
	if (bpf_map_update_elem(&inflight_reads, &id, &r, BPF_NOEXIST))
		stat_inc(VMAFX_STAT_PENDING_FULL);
	else
		__sync_fetch_and_add(&reads_in_flight, 1);
	return 0;
}

/* The read this thread began returned ret: count it. */
static __always_inline int read_end(long ret)
{
	__u64 id;
	struct vmafx_inflight_read *r;
	struct vmafx_file_stats *s;
	struct vmafx_file_key key;
	__u64 now, lat;

	if (!reads_in_flight)
		return 0;
	id = bpf_get_current_pid_tgid();
	r = bpf_map_lookup_elem(&inflight_reads, &id);
	if (!r)
		return 0;
	now = bpf_ktime_get_ns();
	lat = now > r->start_ns ? now - r->start_ns : 0;
	key.dev = r->dev;
	key.ino = r->ino;
	s = bpf_map_lookup_elem(&file_stats, &key);
	if (!s) {
		struct vmafx_file_stats zero = {};

		zero.first_ns = now;
		bpf_map_update_elem(&file_stats, &key, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&file_stats, &key);
	}
	if (!s) {
		stat_inc(VMAFX_STAT_STATS_FULL);
	} else {
		if (ret >= 0) {
			__sync_fetch_and_add(&s->bytes, (__u64)ret);
		} else {
			__sync_fetch_and_add(&s->errors, 1);
			stat_inc(VMAFX_STAT_READ_ERRORS);
		}
		__sync_fetch_and_add(&s->reads, 1);
		__sync_fetch_and_add(&s->lat_total_ns, lat);
		if (lat > s->lat_max_ns) /* racy between CPUs: at worst a slightly lower maximum */
			s->lat_max_ns = lat;
		s->last_ns = now;
		__sync_fetch_and_add(&lat_hist[log2_u64(lat) & (VMAFX_HIST_SLOTS - 1)], 1);
		stat_inc(VMAFX_STAT_READS_COUNTED);
	}
	if (!bpf_map_delete_elem(&inflight_reads, &id))
		__sync_fetch_and_add(&reads_in_flight, -1);
	return 0;
}

/* Read path 1: fentry/fexit on the VFS read functions. */
SEC("fentry/vfs_read")
int BPF_PROG(vmafx_vread_fe, struct file *file)
{
	return read_begin(file);
}

SEC("fexit/vfs_read")
int BPF_PROG(vmafx_vread_fx, struct file *file, char *buf, size_t count, loff_t *pos, ssize_t ret)
{
	return read_end(ret);
}

SEC("fentry/vfs_readv")
int BPF_PROG(vmafx_vreadv_fe, struct file *file)
{
	return read_begin(file);
}

SEC("fexit/vfs_readv")
int BPF_PROG(vmafx_vreadv_fx, struct file *file, const struct iovec *vec, unsigned long vlen, loff_t *pos,
	     rwf_t flags, ssize_t ret)
{
	return read_end(ret);
}

/* Read path 2: the read syscalls' tracepoints (the descriptor is the first argument of all five). */
#define READ_SYSCALL(name, prog)                                                   \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                \
	int prog##_e(struct trace_event_raw_sys_enter *ctx)                        \
	{                                                                          \
		return read_begin(fd_file((long)(int)ctx->args[0]));               \
	}                                                                          \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                 \
	int prog##_x(struct trace_event_raw_sys_exit *ctx)                         \
	{                                                                          \
		return read_end(ctx->ret);                                         \
	}

READ_SYSCALL(read, vmafx_read)
READ_SYSCALL(pread64, vmafx_pread)
READ_SYSCALL(readv, vmafx_readv)
READ_SYSCALL(preadv, vmafx_preadv)
READ_SYSCALL(preadv2, vmafx_preadv2)

/*
 * Never loaded in service: user space turns its autoload on only to prove, in a test, that a verifier rejection
 * reaches the Java exception with the verifier's log. It dereferences a map lookup without the NULL check, which
 * the verifier refuses ("invalid mem access 'map_value_or_null'").
 */
SEC("tracepoint/syscalls/sys_enter_close")
int vmafx_selftest(void *ctx)
{
	struct vmafx_fd_key k = {};
	struct vmafx_fd_info *v = bpf_map_lookup_elem(&tracked_fds, &k);

	return v->tid;
}
