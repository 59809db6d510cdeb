// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Debian builds libbpf.a as position-dependent (PIE) code: its default print function reaches glibc's `stderr`
 * with a PC-relative relocation (R_X86_64_PC32), which assumes a copy relocation in an executable and cannot be
 * linked into a shared object. The Makefile renames that reference in a copy of libbpf.a
 * (objcopy --redefine-sym stderr=vx_libbpf_stderr) and this file supplies it, inside the library: a pointer set
 * to glibc's stderr when the library loads. (libbpf's printing goes to NativeProbe.c's callback anyway; this
 * only keeps libbpf's fallback path correct.)
 */
#include <stdio.h>

__attribute__((visibility("hidden"))) FILE *vx_libbpf_stderr;

__attribute__((constructor)) static void vx_libbpf_stderr_init(void)
{
	vx_libbpf_stderr = stderr;
}
