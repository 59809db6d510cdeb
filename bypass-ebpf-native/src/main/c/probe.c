// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The probe's user-space side over libbpf; see probe.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probe.h"
#include "vmafx_probe.skel.h"

/* The skeleton's view of the program's .bss (generated from the BPF object's BTF) must be what vx_probe_stats and
 * vx_probe_histogram copy out: the arrays the BPF side declares with the same constants. */
_Static_assert(sizeof(((struct vmafx_probe *)0)->bss->stats) == sizeof(__u64) * VMAFX_STAT_COUNT,
	       "the skeleton's stats[] is not VMAFX_STAT_COUNT counters");
_Static_assert(sizeof(((struct vmafx_probe *)0)->bss->lat_hist) == sizeof(__u64) * VMAFX_HIST_SLOTS,
	       "the skeleton's lat_hist[] is not VMAFX_HIST_SLOTS slots");
_Static_assert(sizeof(((struct vmafx_probe *)0)->rodata->prefix) == VMAFX_PREFIX_MAX + 1,
	       "the skeleton's prefix[] is not VMAFX_PREFIX_MAX + 1 bytes");

#define MAX_LINKS 32

struct vx_probe {
	struct vmafx_probe *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[MAX_LINKS];
	int nlinks;
	int read_path;
	char note[1024];
	vx_event_fn cur_fn;
	void *cur_ctx;
	int cur_count;
};

/* ---- libbpf's messages: to the sink, and captured per thread while a start is under way ---- */

static vx_log_sink log_sink;

struct capture {
	char *buf;
	size_t len, cap;
	bool active;
	bool quiet; /* an attempt that may fail and fall back: its warnings are debug messages */
};
static __thread struct capture tl_capture;

static void capture_append(const char *s, size_t n)
{
	struct capture *c = &tl_capture;

	if (!c->active || n == 0)
		return;
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		char *nb;

		while (c->len + n + 1 > cap)
			cap *= 2;
		nb = realloc(c->buf, cap);
		if (!nb)
			return;
		c->buf = nb;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
	c->buf[c->len] = '\0';
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char small[1024];
	char *msg = small;
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(small, sizeof(small), fmt, copy);
	va_end(copy);
	if (n < 0)
		return 0;
	if ((size_t)n >= sizeof(small)) {
		msg = malloc((size_t)n + 1);
		if (!msg)
			return 0;
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
	}
	capture_append(msg, (size_t)n);
	if (log_sink) {
		int lvl = level == LIBBPF_WARN ? VX_LOG_WARN : level == LIBBPF_INFO ? VX_LOG_INFO : VX_LOG_DEBUG;

		if (tl_capture.active && tl_capture.quiet)
			lvl = VX_LOG_DEBUG;
		/* one message per call, without the trailing newline */
		while (n > 0 && msg[n - 1] == '\n')
			msg[--n] = '\0';
		log_sink(lvl, msg);
	}
	if (msg != small)
		free(msg);
	return 0;
}

void vx_set_log_sink(vx_log_sink sink)
{
	log_sink = sink;
	libbpf_set_print(libbpf_print);
}

static void capture_begin(bool quiet)
{
	tl_capture.len = 0;
	if (tl_capture.buf)
		tl_capture.buf[0] = '\0';
	tl_capture.active = true;
	tl_capture.quiet = quiet;
}

static void capture_end(void)
{
	tl_capture.active = false;
	tl_capture.quiet = false;
	free(tl_capture.buf);
	tl_capture.buf = NULL;
	tl_capture.len = tl_capture.cap = 0;
}

/* The verifier's log that libbpf printed between its BEGIN/END PROG LOAD LOG markers, or NULL. */
static char *extract_verifier_log(const char *all)
{
	static const char begin[] = "-- BEGIN PROG LOAD LOG --\n";
	static const char end[] = "-- END PROG LOAD LOG --";
	const char *b, *e;

	if (!all)
		return NULL;
	b = strstr(all, begin);
	if (!b)
		return NULL;
	b += sizeof(begin) - 1;
	e = strstr(b, end);
	if (!e)
		e = b + strlen(b);
	return strndup(b, (size_t)(e - b));
}

void vx_error_clear(struct vx_error *e)
{
	if (!e)
		return;
	free(e->verifier_log);
	free(e->libbpf_log);
	memset(e, 0, sizeof(*e));
}

static int fail(struct vx_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (errnum < 0)
		errnum = -errnum;
	if (errnum == 0)
		errnum = EINVAL;
	if (err) {
		err->err = errnum;
		va_start(ap, fmt);
		vsnprintf(err->what, sizeof(err->what), fmt, ap);
		va_end(ap);
		if (tl_capture.active && tl_capture.buf && tl_capture.len) {
			free(err->libbpf_log);
			free(err->verifier_log);
			err->libbpf_log = strdup(tl_capture.buf);
			err->verifier_log = extract_verifier_log(tl_capture.buf);
		}
	}
	return -errnum;
}

/* ---- tracefs ---- */

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where tracefs is mounted, as libbpf looks for it, or NULL with *denied set when it is there but unreadable. */
static const char *tracefs_dir(bool *denied)
{
	*denied = false;
	if (is_dir("/sys/kernel/debug/tracing/events"))
		return "/sys/kernel/debug/tracing";
	*denied = errno == EACCES;
	if (is_dir("/sys/kernel/tracing/events"))
		return "/sys/kernel/tracing";
	*denied = *denied || errno == EACCES;
	return NULL;
}

static bool tracepoint_exists(const char *tracefs, const char *category, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/events/%s/%s", tracefs, category, name);
	return is_dir(path);
}

/* ---- start ---- */

static bool is_fentry_prog(const struct vmafx_probe *s, const struct bpf_program *prog)
{
	return prog == s->progs.vmafx_vread_fe || prog == s->progs.vmafx_vread_fx ||
	       prog == s->progs.vmafx_vreadv_fe || prog == s->progs.vmafx_vreadv_fx;
}

static bool is_read_tp_prog(const struct vmafx_probe *s, const struct bpf_program *prog)
{
	return prog == s->progs.vmafx_read_e || prog == s->progs.vmafx_read_x ||
	       prog == s->progs.vmafx_pread_e || prog == s->progs.vmafx_pread_x ||
	       prog == s->progs.vmafx_readv_e || prog == s->progs.vmafx_readv_x ||
	       prog == s->progs.vmafx_preadv_e || prog == s->progs.vmafx_preadv_x ||
	       prog == s->progs.vmafx_preadv2_e || prog == s->progs.vmafx_preadv2_x;
}

/* The program that libbpf reported as failing to load, from its log ("prog 'NAME': BPF program load failed"). */
static void failed_prog_name(char *out, size_t size)
{
	const char *log = tl_capture.buf, *p, *q;

	out[0] = '\0';
	if (!log)
		return;
	p = strstr(log, "': BPF program load failed");
	if (!p)
		p = strstr(log, "': failed to load");
	if (!p)
		return;
	q = p;
	while (q > log && q[-1] != '\'')
		q--;
	if ((size_t)(p - q) < size) {
		memcpy(out, q, (size_t)(p - q));
		out[p - q] = '\0';
	}
}

static int on_ring_event(void *ctx, void *data, size_t size)
{
	struct vx_probe *p = ctx;

	if (size < sizeof(struct vmafx_event) || !p->cur_fn)
		return 0;
	p->cur_fn(p->cur_ctx, (const struct vmafx_event *)data);
	p->cur_count++;
	return 0;
}

static int start_once(const char *prefix, int read_path, int flags, struct vx_probe **out, struct vx_error *err)
{
	struct vx_probe *p;
	struct vmafx_probe *s;
	struct bpf_program *prog;
	bool denied;
	const char *tracefs = tracefs_dir(&denied);
	size_t plen = strlen(prefix);
	bool load_only = flags & VX_FLAG_LOAD_ONLY;
	bool has_open;
	int rc;

	if (!tracefs && !load_only && denied)
		return fail(err, EACCES,
			    "reading tracefs (/sys/kernel/tracing/events), through which the syscall tracepoints are attached");
	if (!tracefs && !load_only)
		return fail(err, ENOENT,
			    "tracefs is not mounted (neither /sys/kernel/tracing nor /sys/kernel/debug/tracing has events/), "
			    "so the syscall tracepoints cannot be attached; mount it: mount -t tracefs tracefs /sys/kernel/tracing");
	/* open(2): x86_64 has it, arm64 does not. Without tracefs (a trial load) assume it is there. */
	has_open = tracefs ? tracepoint_exists(tracefs, "syscalls", "sys_enter_open") : true;

	p = calloc(1, sizeof(*p));
	if (!p)
		return fail(err, ENOMEM, "allocating the probe");
	p->read_path = read_path;
	s = vmafx_probe__open();
	if (!s) {
		rc = -errno;
		free(p);
		return fail(err, rc, "opening the embedded BPF object");
	}
	p->skel = s;
	s->rodata->prefix_len = (__u32)plen;
	memcpy((char *)s->rodata->prefix, prefix, plen);
	((char *)s->rodata->prefix)[plen] = '\0';

	bpf_object__for_each_program(prog, s->obj) {
		bool load = true;

		if (is_fentry_prog(s, prog))
			load = read_path == VX_READ_FENTRY;
		else if (is_read_tp_prog(s, prog))
			load = read_path == VX_READ_TRACEPOINTS;
		else if (prog == s->progs.vmafx_open_e || prog == s->progs.vmafx_open_x)
			load = has_open;
		else if (prog == s->progs.vmafx_selftest)
			load = flags & VX_FLAG_SELFTEST_REJECT;
		bpf_program__set_autoload(prog, load);
	}

	rc = vmafx_probe__load(s);
	if (rc) {
		char name[64];

		failed_prog_name(name, sizeof(name));
		rc = fail(err, rc, "loading the BPF programs into the kernel%s%s%s",
			  name[0] ? " (program " : "", name, name[0] ? ")" : "");
		vx_probe_stop(p);
		return rc;
	}
	if (!load_only) {
		bpf_object__for_each_program(prog, s->obj) {
			struct bpf_link *link;

			if (!bpf_program__autoload(prog))
				continue;
			if (p->nlinks >= MAX_LINKS) {
				vx_probe_stop(p);
				return fail(err, E2BIG, "attaching: more programs than links");
			}
			link = bpf_program__attach(prog);
			if (!link) {
				rc = -errno;
				rc = fail(err, rc, "attaching %s (program %s)", bpf_program__section_name(prog),
					  bpf_program__name(prog));
				vx_probe_stop(p);
				return rc;
			}
			p->links[p->nlinks++] = link;
		}
		p->rb = ring_buffer__new(bpf_map__fd(s->maps.events), on_ring_event, p, NULL);
		if (!p->rb) {
			rc = -errno;
			vx_probe_stop(p);
			return fail(err, rc, "opening the ring buffer of open events");
		}
	}
	*out = p;
	return 0;
}

int vx_probe_start(const char *prefix, int read_path, int flags, struct vx_probe **out, struct vx_error *err)
{
	struct vx_error first = { 0 };
	int rc;

	*out = NULL;
	if (!prefix || prefix[0] != '/' || strlen(prefix) > VMAFX_PREFIX_MAX)
		return fail(err, EINVAL, "the mount prefix must be an absolute path of at most %d bytes",
			    VMAFX_PREFIX_MAX);
	if (read_path != VX_READ_AUTO && read_path != VX_READ_FENTRY && read_path != VX_READ_TRACEPOINTS)
		return fail(err, EINVAL, "unknown read path %d", read_path);

	if (read_path != VX_READ_AUTO) {
		capture_begin(false);
		rc = start_once(prefix, read_path, flags, out, err);
		capture_end();
		return rc;
	}
	/* fentry/fexit first, quietly: where the kernel refuses it the tracepoints do the same job. */
	capture_begin(true);
	rc = start_once(prefix, VX_READ_FENTRY, flags, out, &first);
	capture_end();
	if (rc == 0)
		return 0;
	capture_begin(false);
	rc = start_once(prefix, VX_READ_TRACEPOINTS, flags, out, err);
	capture_end();
	if (rc == 0)
		snprintf((*out)->note, sizeof((*out)->note),
			 "fentry/fexit on vfs_read is not available (%s: %s), so reads are counted at the read "
			 "syscalls' tracepoints", first.what, strerror(first.err));
	vx_error_clear(&first);
	return rc;
}

int vx_probe_read_path(const struct vx_probe *p)
{
	return p->read_path;
}

const char *vx_probe_read_path_note(const struct vx_probe *p)
{
	return p->note;
}

int vx_probe_poll(struct vx_probe *p, int timeout_ms, vx_event_fn fn, void *ctx)
{
	int rc;

	if (!p->rb)
		return -EBADF;
	p->cur_fn = fn;
	p->cur_ctx = ctx;
	p->cur_count = 0;
	rc = ring_buffer__poll(p->rb, timeout_ms);
	p->cur_fn = NULL;
	p->cur_ctx = NULL;
	if (rc < 0 && rc != -EINTR)
		return rc;
	return p->cur_count;
}

int vx_probe_file_stats(struct vx_probe *p, __u64 dev, __u64 ino, struct vmafx_file_stats *out)
{
	struct vmafx_file_key key = { .dev = dev, .ino = ino };

	if (bpf_map__lookup_elem(p->skel->maps.file_stats, &key, sizeof(key), out, sizeof(*out), 0))
		return -errno;
	return 0;
}

#define FOR_EACH(map, key_t, val_t, call)                                                       \
	do {                                                                                    \
		key_t key, next;                                                                \
		val_t val;                                                                      \
		void *prev = NULL;                                                              \
		int fd = bpf_map__fd(map);                                                      \
		while (bpf_map_get_next_key(fd, prev, &next) == 0) {                            \
			key = next;                                                             \
			prev = &key;                                                            \
			if (bpf_map_lookup_elem(fd, &key, &val))                                \
				continue; /* gone meanwhile */                                  \
			if (!(call))                                                            \
				break;                                                          \
		}                                                                               \
	} while (0)

int vx_probe_for_each_file(struct vx_probe *p, vx_file_fn fn, void *ctx)
{
	FOR_EACH(p->skel->maps.file_stats, struct vmafx_file_key, struct vmafx_file_stats, fn(ctx, &key, &val));
	return 0;
}

int vx_probe_for_each_fd(struct vx_probe *p, vx_fd_fn fn, void *ctx)
{
	FOR_EACH(p->skel->maps.tracked_fds, struct vmafx_fd_key, struct vmafx_fd_info, fn(ctx, &key, &val));
	return 0;
}

int vx_probe_for_each_dev(struct vx_probe *p, vx_dev_fn fn, void *ctx)
{
	FOR_EACH(p->skel->maps.watched_devs, __u64, __u64, fn(ctx, key, val));
	return 0;
}

int vx_probe_watch_dev(struct vx_probe *p, __u64 dev, bool watch, struct vx_error *err)
{
	int fd = bpf_map__fd(p->skel->maps.watched_devs);
	struct timespec ts;
	__u64 now;

	if (!watch) {
		if (bpf_map_delete_elem(fd, &dev) && errno != ENOENT)
			return fail(err, errno, "removing device %llu from the watched devices", (unsigned long long)dev);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
	if (bpf_map_update_elem(fd, &dev, &now, BPF_NOEXIST) && errno != EEXIST)
		return fail(err, errno, "adding device %llu to the watched devices", (unsigned long long)dev);
	return 0;
}

void vx_probe_stats(const struct vx_probe *p, __u64 out[VMAFX_STAT_COUNT])
{
	for (int i = 0; i < VMAFX_STAT_COUNT; i++)
		out[i] = __atomic_load_n(&p->skel->bss->stats[i], __ATOMIC_RELAXED);
}

void vx_probe_histogram(const struct vx_probe *p, __u64 out[VMAFX_HIST_SLOTS])
{
	for (int i = 0; i < VMAFX_HIST_SLOTS; i++)
		out[i] = __atomic_load_n(&p->skel->bss->lat_hist[i], __ATOMIC_RELAXED);
}

void vx_probe_stop(struct vx_probe *p)
{
	if (!p)
		return;
	ring_buffer__free(p->rb);
	for (int i = 0; i < p->nlinks; i++)
		bpf_link__destroy(p->links[i]);
	vmafx_probe__destroy(p->skel);
	free(p);
}
