// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * JNI glue for io.vmafx.bypass.ebpf.probe.NativeProbe (bypass-ebpf/src/main/java/io/vmafx/bypass/ebpf/probe/
 * NativeProbe.java): the Java class with the native methods, over probe.c.
 *
 * - A probe is a jlong handle (the struct vx_probe pointer); the Java side serialises calls on one handle and
 *   never uses it after stop.
 * - Failures throw io.vmafx.bypass.ebpf.probe.ProbeException(what, errno, strerror, verifierLog, libbpfLog).
 * - libbpf's messages go to NativeProbe.libbpfLog(int level, String message), which hands them to System.Logger.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jni.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "probe.h"

#define PROBE_CLASS "io/vmafx/bypass/ebpf/probe/NativeProbe"
#define EXCEPTION_CLASS "io/vmafx/bypass/ebpf/probe/ProbeException"

static JavaVM *jvm;
static jclass probe_class;
static jmethodID log_method;
static jclass exception_class;
static jmethodID exception_ctor;

/* A Java string from C text: bytes outside 7-bit ASCII become '?' so that the text is valid modified UTF-8. */
static jstring ascii_string(JNIEnv *env, const char *s)
{
	char small[2048];
	char *copy = small;
	size_t n;
	jstring r;

	if (!s)
		return NULL;
	n = strlen(s);
	if (n >= sizeof(small)) {
		copy = malloc(n + 1);
		if (!copy)
			return NULL;
	}
	for (size_t i = 0; i < n; i++)
		copy[i] = (unsigned char)s[i] < 0x80 && (s[i] >= 0x20 || s[i] == '\n' || s[i] == '\t') ? s[i] : '?';
	copy[n] = '\0';
	r = (*env)->NewStringUTF(env, copy);
	if (copy != small)
		free(copy);
	return r;
}

static void log_to_java(int level, const char *message)
{
	JNIEnv *env;
	jstring msg;

	if (!jvm || (*jvm)->GetEnv(jvm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
		return;
	if ((*env)->ExceptionCheck(env))
		return; /* cannot call Java now; the message is still captured for the exception */
	msg = ascii_string(env, message);
	if (!msg) {
		(*env)->ExceptionClear(env);
		return;
	}
	(*env)->CallStaticVoidMethod(env, probe_class, log_method, (jint)level, msg);
	if ((*env)->ExceptionCheck(env))
		(*env)->ExceptionClear(env); /* a failing logger must not fail the probe */
	(*env)->DeleteLocalRef(env, msg);
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved)
{
	JNIEnv *env;
	jclass c;

	(void)reserved;
	if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
		return JNI_ERR;
	jvm = vm;
	c = (*env)->FindClass(env, PROBE_CLASS);
	if (!c)
		return JNI_ERR;
	probe_class = (*env)->NewGlobalRef(env, c);
	log_method = (*env)->GetStaticMethodID(env, c, "libbpfLog", "(ILjava/lang/String;)V");
	if (!log_method)
		return JNI_ERR;
	c = (*env)->FindClass(env, EXCEPTION_CLASS);
	if (!c)
		return JNI_ERR;
	exception_class = (*env)->NewGlobalRef(env, c);
	exception_ctor = (*env)->GetMethodID(env, c, "<init>",
					     "(Ljava/lang/String;ILjava/lang/String;Ljava/lang/String;Ljava/lang/String;)V");
	if (!exception_ctor)
		return JNI_ERR;
	vx_set_log_sink(log_to_java);
	return JNI_VERSION_1_8;
}

static void throw_probe_exception(JNIEnv *env, const struct vx_error *e)
{
	char errtext[256];
	jstring what, text, vlog, llog;
	jthrowable ex;

	if ((*env)->ExceptionCheck(env))
		return;
	snprintf(errtext, sizeof(errtext), "%s", strerror(e->err));
	what = ascii_string(env, e->what[0] ? e->what : "the probe");
	text = ascii_string(env, errtext);
	vlog = ascii_string(env, e->verifier_log);
	llog = ascii_string(env, e->libbpf_log);
	if ((*env)->ExceptionCheck(env))
		return;
	ex = (*env)->NewObject(env, exception_class, exception_ctor, what, (jint)e->err, text, vlog, llog);
	if (ex)
		(*env)->Throw(env, ex);
}

static void throw_errno(JNIEnv *env, int err, const char *what)
{
	struct vx_error e = { .err = err < 0 ? -err : err };

	snprintf(e.what, sizeof(e.what), "%s", what);
	throw_probe_exception(env, &e);
}

static struct vx_probe *handle(jlong h)
{
	return (struct vx_probe *)(intptr_t)h;
}

JNIEXPORT jint JNICALL Java_io_vmafx_bypass_ebpf_probe_NativeProbe_abiVersion(JNIEnv *env, jclass c)
{
	(void)env;
	(void)c;
	return VMAFX_ABI_VERSION;
}

/* Rows of the flattened arrays below (NativeProbe.java reads them by these widths). */
#define ROW_FILE_FIELDS (2 + VMAFX_FILE_STATS_FIELDS) /* dev, ino, then the counters */
#define ROW_FD_FIELDS 7                               /* tgid, fd, tid, dev, ino, fs_magic, opened_ns */
#define ROW_DEV_FIELDS 2                              /* dev, added_ns */

/*
 * The layout this library was compiled with, as "name=value" entries: every field of struct vmafx_event the Java
 * side decodes (offset and size), the record's size, and the constants and indices Java reads arrays by.
 * EventLayout.java compares it with what it decodes, and the probe does not start when they differ.
 */
#define FIELD(f) { "vmafx_event." #f ".offset", __builtin_offsetof(struct vmafx_event, f) }, \
		 { "vmafx_event." #f ".size", sizeof(((struct vmafx_event *)0)->f) }
#define CONST(c) { #c, (long long)(c) }
static const struct {
	const char *name;
	long long value;
} layout_entries[] = {
	{ "vmafx_event.size", sizeof(struct vmafx_event) },
	FIELD(ts_ns), FIELD(dev), FIELD(ino), FIELD(kind), FIELD(tgid), FIELD(tid), FIELD(ret), FIELD(flags),
	FIELD(fs_magic), FIELD(ev_flags), FIELD(syscall), FIELD(path_len), FIELD(comm), FIELD(path),
	CONST(VMAFX_ABI_VERSION), CONST(VMAFX_EVENT_SIZE), CONST(VMAFX_PATH_MAX), CONST(VMAFX_COMM_LEN),
	CONST(VMAFX_EV_OPEN), CONST(VMAFX_EV_CLOSE), CONST(VMAFX_EVF_PATH_TRUNCATED), CONST(VMAFX_EVF_FUSE),
	CONST(VMAFX_SYS_OPENAT), CONST(VMAFX_SYS_OPENAT2), CONST(VMAFX_SYS_OPEN), CONST(VMAFX_FUSE_SUPER_MAGIC),
	CONST(VMAFX_FILE_STATS_FIELDS), CONST(VMAFX_STAT_COUNT), CONST(VMAFX_HIST_SLOTS),
	CONST(VMAFX_STAT_RINGBUF_DROPS), CONST(VMAFX_STAT_OPENS_MATCHED), CONST(VMAFX_STAT_OPENS_TRACKED),
	CONST(VMAFX_STAT_CLOSES_TRACKED), CONST(VMAFX_STAT_READS_COUNTED), CONST(VMAFX_STAT_READ_ERRORS),
	CONST(VMAFX_STAT_PENDING_FULL), CONST(VMAFX_STAT_STATS_FULL), CONST(VMAFX_STAT_DEVS_WATCHED),
	CONST(ROW_FILE_FIELDS), CONST(ROW_FD_FIELDS), CONST(ROW_DEV_FIELDS),
	CONST(VX_FLAG_LOAD_ONLY), CONST(VX_FLAG_SELFTEST_REJECT),
	CONST(VX_READ_AUTO), CONST(VX_READ_FENTRY), CONST(VX_READ_TRACEPOINTS),
};
#undef FIELD
#undef CONST

JNIEXPORT jobjectArray JNICALL Java_io_vmafx_bypass_ebpf_probe_NativeProbe_layout(JNIEnv *env, jclass c)
{
	size_t n = sizeof(layout_entries) / sizeof(layout_entries[0]);
	jclass string_class = (*env)->FindClass(env, "java/lang/String");
	jobjectArray arr;
	char entry[128];

	(void)c;
	if (!string_class)
		return NULL;
	arr = (*env)->NewObjectArray(env, (jsize)n, string_class, NULL);
	for (size_t i = 0; arr && i < n; i++) {
		jstring s;

		snprintf(entry, sizeof(entry), "%s=%lld", layout_entries[i].name, layout_entries[i].value);
		s = (*env)->NewStringUTF(env, entry);
		if (!s)
			return NULL;
		(*env)->SetObjectArrayElement(env, arr, (jsize)i, s);
		(*env)->DeleteLocalRef(env, s);
	}
	return arr;
}

JNIEXPORT jstring JNICALL Java_io_vmafx_bypass_ebpf_probe_NativeProbe_libbpfVersion(JNIEnv *env, jclass c)
{
	(void)c;
	return ascii_string(env, libbpf_version_string());
}

/* prefix: the path's bytes in UTF-8 (real UTF-8, not JNI's modified UTF-8), without a terminating NUL. */
JNIEXPORT jlong JNICALL Java_io_vmafx_bypass_ebpf_probe_NativeProbe_start(JNIEnv *env, jclass c, jbyteArray prefix,
									 jint read_path, jint flags)
{
	struct vx_error err = { 0 };
	struct vx_probe *p = NULL;
	char pfx[VMAFX_PREFIX_MAX + 2];
	jsize n;
	int rc;

	(void)c;
	if (!prefix) {
		throw_errno(env, EINVAL, "starting the probe without a mount prefix");
		return 0;
	}
	n = (*env)->GetArrayLength(env, prefix);
	if (n <= 0 || n > VMAFX_PREFIX_MAX) {
		throw_errno(env, EINVAL, "the mount prefix must be 1 to 255 bytes");
		return 0;
	}
	(*env)->GetByteArrayRegion(env, prefix, 0, n, (jbyte *)pfx);
	pfx[n] = '\0';
	if (strlen(pfx) != (size_t)n) {
		throw_errno(env, EINVAL, "the mount prefix contains a NUL byte");
		return 0;
	}
	rc = vx_probe_start(pfx, read_path, flags, &p, &err);
	if (rc) {
		throw_probe_exception(env, &err);
		vx_error_clear(&err);
		return 0;
	}
	return (jlong)(intptr_t)p;
}

JNIEXPORT jint JNICALL Java_io_vmafx_bypass_ebpf_probe_NativeProbe_readPath(JNIEnv *env, jclass c, jlong h)
{
	(void)env;
	(void)c;
	return vx_probe_read_path(handle(h));
}

JNIEXPORT jstring JNICALL Java_io_vmafx_bypass_ebpf_probe_NativeProbe_readPathNote(JNIEnv *env, jclass c, jlong h)
{
	(void)c;
	return ascii_string(env, vx_probe_read_path_note(handle(h)));
}

struct event_buf {
	unsigned char *data;
	size_t len, cap;
	bool oom;
};

static void collect_event(void *ctx, const struct vmafx_event *e)
{
	struct event_buf *b = ctx;

	if (b->oom)
		return;
	if (b->len + sizeof(*e) > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64 * sizeof(*e);
		unsigned char *nd = realloc(b->data, cap);

		if (!nd) {
			b->oom = true;
			return;
		}
		b->data = nd;
		b->cap = cap;
	}
	memcpy(b->data + b->len, e, sizeof(*e));
	b->len += sizeof(*e);
}

/* The events waiting in the ring buffer, VMAFX_EVENT_SIZE bytes each, in native byte order. */
JNIEXPORT jbyteArray JNICALL Java_io_vmafx_bypass_ebpf_probe_NativeProbe_poll(JNIEnv *env, jclass c, jlong h,
									   jint timeout_ms)
{
	struct event_buf b = { 0 };
	jbyteArray arr;
	int rc;

	(void)c;
	rc = vx_probe_poll(handle(h), timeout_ms, collect_event, &b);
	if (rc < 0) {
		free(b.data);
		throw_errno(env, rc, "reading the ring buffer of open events");
		return NULL;
	}
	arr = (*env)->NewByteArray(env, (jsize)b.len);
	if (arr && b.len)
		(*env)->SetByteArrayRegion(env, arr, 0, (jsize)b.len, (const jbyte *)b.data);
	free(b.data);
	return arr;
}

static jlongArray long_array(JNIEnv *env, const __u64 *v, size_t n)
{
	jlongArray arr = (*env)->NewLongArray(env, (jsize)n);

	if (arr && n)
		(*env)->SetLongArrayRegion(env, arr, 0, (jsize)n, (const jlong *)v);
	return arr;
}

static void stats_fields(const struct vmafx_file_stats *s, __u64 *out)
{
	out[0] = s->bytes;
	out[1] = s->reads;
	out[2] = s->errors;
	out[3] = s->lat_total_ns;
	out[4] = s->lat_max_ns;
	out[5] = s->first_ns;
	out[6] = s->last_ns;
}

/* One file's counters: {bytes, reads, errors, latTotalNs, latMaxNs, firstNs, lastNs}, or null when it has none. */
JNIEXPORT jlongArray JNICALL Java_io_vmafx_bypass_ebpf_probe_NativeProbe_fileStats(JNIEnv *env, jclass c, jlong h,
										    jlong dev, jlong ino)
{
	struct vmafx_file_stats s;
	__u64 v[VMAFX_FILE_STATS_FIELDS];
	int rc;

	(void)c;
	rc = vx_probe_file_stats(handle(h), (__u64)dev, (__u64)ino, &s);
	if (rc == -ENOENT)
		return NULL;
	if (rc) {
		throw_errno(env, rc, "reading the per-file counters");
		return NULL;
	}
	stats_fields(&s, v);
	return long_array(env, v, VMAFX_FILE_STATS_FIELDS);
}

struct u64_buf {
	__u64 *v;
	size_t len, cap;
	bool oom;
};

static bool push(struct u64_buf *b, const __u64 *v, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		__u64 *nv;

		while (b->len + n > cap)
			cap *= 2;
		nv = realloc(b->v, cap * sizeof(__u64));
		if (!nv) {
			b->oom = true;
			return false;
		}
		b->v = nv;
		b->cap = cap;
	}
	memcpy(b->v + b->len, v, n * sizeof(__u64));
	b->len += n;
	return true;
}

static bool push_file(void *ctx, const struct vmafx_file_key *k, const struct vmafx_file_stats *s)
{
	__u64 row[ROW_FILE_FIELDS] = { k->dev, k->ino };

	stats_fields(s, row + 2);
	return push(ctx, row, ROW_FILE_FIELDS);
}

static bool push_fd(void *ctx, const struct vmafx_fd_key *k, const struct vmafx_fd_info *i)
{
	__u64 row[ROW_FD_FIELDS] = { k->tgid, (__u64)(__s64)k->fd, i->tid, i->dev, i->ino, i->fs_magic, i->opened_ns };

	return push(ctx, row, ROW_FD_FIELDS);
}

static bool push_dev(void *ctx, __u64 dev, __u64 added)
{
	__u64 row[ROW_DEV_FIELDS] = { dev, added };

	return push(ctx, row, ROW_DEV_FIELDS);
}

static jlongArray finish(JNIEnv *env, struct u64_buf *b, const char *what)
{
	jlongArray arr = NULL;

	if (b->oom)
		throw_errno(env, ENOMEM, what);
	else
		arr = long_array(env, b->v, b->len);
	free(b->v);
	return arr;
}

/* Every file's counters, flattened: {dev, ino, bytes, reads, errors, latTotalNs, latMaxNs, firstNs, lastNs}*. */
JNIEXPORT jlongArray JNICALL Java_io_vmafx_bypass_ebpf_probe_NativeProbe_allFileStats(JNIEnv *env, jclass c, jlong h)
{
	struct u64_buf b = { 0 };

	(void)c;
	vx_probe_for_each_file(handle(h), push_file, &b);
	return finish(env, &b, "reading the per-file counters");
}

/* Tracked descriptors, flattened: {tgid, fd, tid, dev, ino, fsMagic, openedNs}*. */
JNIEXPORT jlongArray JNICALL Java_io_vmafx_bypass_ebpf_probe_NativeProbe_trackedFds(JNIEnv *env, jclass c, jlong h)
{
	struct u64_buf b = { 0 };

	(void)c;
	vx_probe_for_each_fd(handle(h), push_fd, &b);
	return finish(env, &b, "reading the tracked descriptors");
}

/* Watched devices, flattened: {dev, addedNs}*. */
JNIEXPORT jlongArray JNICALL Java_io_vmafx_bypass_ebpf_probe_NativeProbe_watchedDevices(JNIEnv *env, jclass c,
											 jlong h)
{
	struct u64_buf b = { 0 };

	(void)c;
	vx_probe_for_each_dev(handle(h), push_dev, &b);
	return finish(env, &b, "reading the watched devices");
}

JNIEXPORT void JNICALL Java_io_vmafx_bypass_ebpf_probe_NativeProbe_watchDevice(JNIEnv *env, jclass c, jlong h,
									      jlong dev, jboolean watch)
{
	struct vx_error err = { 0 };

	(void)c;
	if (vx_probe_watch_dev(handle(h), (__u64)dev, watch == JNI_TRUE, &err)) {
		throw_probe_exception(env, &err);
		vx_error_clear(&err);
	}
}

JNIEXPORT jlongArray JNICALL Java_io_vmafx_bypass_ebpf_probe_NativeProbe_stats(JNIEnv *env, jclass c, jlong h)
{
	__u64 v[VMAFX_STAT_COUNT];

	(void)c;
	vx_probe_stats(handle(h), v);
	return long_array(env, v, VMAFX_STAT_COUNT);
}

JNIEXPORT jlongArray JNICALL Java_io_vmafx_bypass_ebpf_probe_NativeProbe_histogram(JNIEnv *env, jclass c, jlong h)
{
	__u64 v[VMAFX_HIST_SLOTS];

	(void)c;
	vx_probe_histogram(handle(h), v);
	return long_array(env, v, VMAFX_HIST_SLOTS);
}

JNIEXPORT void JNICALL Java_io_vmafx_bypass_ebpf_probe_NativeProbe_stop(JNIEnv *env, jclass c, jlong h)
{
	(void)env;
	(void)c;
	vx_probe_stop(handle(h));
}
