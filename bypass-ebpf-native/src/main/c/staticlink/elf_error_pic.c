// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A stand-in for elf_error.o of the system's static libelf (elfutils).
 *
 * Debian builds libelf.a without -fPIC; all of it links into a shared object except elf_error.o, whose
 * thread-local error number uses the local-exec TLS model, which x86_64 shared objects cannot have ("relocation
 * R_X86_64_TPOFF32 against `global_error' can not be used when making a shared object"). The Makefile copies
 * libelf.a without that member and links this file instead: the same three functions with the same behaviour
 * (elfutils' libelf/elf_error.c), a thread-local compiled as PIC, and the same messages, which the build reads
 * from the system's libelf (gen_elf_errmsgs.c -> elf_errmsgs.h).
 */
#include <stddef.h>
#include "elf_errmsgs.h"

#define ELF_E_UNKNOWN_ERROR 1

static __thread int global_error;

int elf_errno(void)
{
	int result = global_error;

	global_error = 0;
	return result;
}

void __libelf_seterrno(int value)
{
	global_error = value >= 0 && value < VX_ELF_NMSGS ? value : ELF_E_UNKNOWN_ERROR;
}

const char *elf_errmsg(int error)
{
	int last_error = global_error;

	if (error == 0)
		return last_error != 0 ? vx_elf_msgs[last_error] : NULL;
	if (error < -1 || error >= VX_ELF_NMSGS)
		return vx_elf_msgs[ELF_E_UNKNOWN_ERROR];
	return vx_elf_msgs[error == -1 ? last_error : error];
}
