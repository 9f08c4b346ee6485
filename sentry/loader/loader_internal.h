/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loader_internal.h: what the loader's files share.
 */
#ifndef CVISOR_LOADER_INTERNAL_H
#define CVISOR_LOADER_INTERNAL_H

#include <stdint.h>

#include "sentry/abi/elf.h"
#include "sentry/loader/loader.h"

/* An ELF file's headers and, once mapped, where it landed. */
struct elf_image {
	struct linux_elf64_ehdr eh;
	struct linux_elf64_phdr *ph;  /* e_phnum entries */
	uint64_t bias;                /* load address - p_vaddr */
	uint64_t entry;               /* e_entry + bias */
	uint64_t phdr_addr;           /* AT_PHDR */
	uint64_t start_code, end_code, start_data, end_data;
	uint64_t brk;                 /* end of the highest segment */
};

/* elf.c: what the stack builder needs to know. */
struct stack_aux {
	uint64_t phdr, phnum, base, entry, sysinfo_ehdr;
};

/* stack.c: build the initial stack at the top of the address space;
 * sets res->sp and the layout's stack, argument and auxv fields. */
int loader_build_stack(struct mm *mm, const struct loader_args *a,
		       const struct stack_aux *aux, bool exec_stack,
		       struct loader_result *res);

#endif
