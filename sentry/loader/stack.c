/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stack.c: the initial stack, laid out exactly as Linux's execve does
 * (fs/exec.c copy_strings/setup_arg_pages, fs/binfmt_elf.c
 * create_elf_tables), because C runtimes, dynamic loaders and tools that
 * read /proc/PID/auxv or walk past envp depend on every detail.
 *
 * From the top of the address space down:
 *   8 bytes of zero, the AT_EXECFN string, the environment strings, the
 *   argument strings (so argv[0] is lowest); then, 16-byte aligned, the
 *   AT_PLATFORM string and the 16 AT_RANDOM bytes; then the auxv pairs
 *   ending with AT_NULL, envp pointers and NULL, argv pointers and NULL,
 *   and argc, with the final stack pointer 16-byte aligned at argc.
 */
#include <cpuid.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/random.h>

#include "gen/linux_flags.h"
#include "platform/platform.h"
#include "sentry/abi/sigframe.h"
#include "sentry/loader/loader_internal.h"
#include "sentry/mm/mm.h"

#define PAGE 4096ULL
#define STK_LIM (8ULL << 20)	    /* _STK_LIM */
#define ARG_MAX_ (32 * PAGE)	    /* the historical 32 pages */
#define STACK_EXPAND (128ULL << 10) /* setup_arg_pages' stack_expand */
#define PLATFORM "x86_64"

uint64_t loader_arg_limit(uint64_t stack_limit)
{
	uint64_t limit = STK_LIM / 4 * 3;

	if (stack_limit / 4 < limit)
		limit = stack_limit / 4;
	return limit > ARG_MAX_ ? limit : ARG_MAX_;
}

/* Linux's get_sigframe_size(): the worst-case signal frame, from the
 * XSAVE size of the features the host enabled (CPUID 0xd, EBX). */
static uint64_t default_minsigstksz(void)
{
	unsigned a = 0, b = 0, c = 0, d = 0;
	uint64_t fpu = 512 + 64; /* FXSAVE and a header, without XSAVE */
	uint64_t size;

	if (__get_cpuid_count(0xd, 0, &a, &b, &c, &d) && b)
		fpu = b + 4; /* + FP_XSTATE_MAGIC2 */
	size = sizeof(struct linux_rt_sigframe) + 15 + fpu + 63;
	return (size + 15) & ~15ULL;
}

static uint64_t hwcap(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	return d; /* ELF_HWCAP: CPUID 1 EDX, as x86 Linux reports it */
}

/* Check the strings against Linux's limits (bprm_stack_limits,
 * copy_strings) before building anything: E2BIG. */
static int check_limits(const struct loader_args *a, uint64_t *bytes)
{
	uint64_t limit = loader_arg_limit(a->stack_limit), ptrs, total = 0;
	size_t i;

	ptrs = ((a->argc ? a->argc : 1) + (uint64_t)a->envc);
	if (ptrs < a->envc || ptrs > UINT64_MAX / 8)
		return -E2BIG;
	ptrs *= 8;
	if (limit <= ptrs)
		return -E2BIG;
	limit -= ptrs;
	total = strlen(a->execfn) + 1;
	if (total > LOADER_MAX_ARG_STRLEN)
		return -E2BIG;
	for (i = 0; i < a->envc + a->argc; i++) {
		const char *s = i < a->envc ? a->envp[i] : a->argv[i - a->envc];
		uint64_t n = strnlen(s, LOADER_MAX_ARG_STRLEN) + 1;

		if (n > LOADER_MAX_ARG_STRLEN)
			return -E2BIG;
		total += n;
		if (total > limit)
			return -E2BIG;
	}
	if (!a->argc)
		total += 1; /* the "" Linux adds as argv[0] */
	if (total > limit)
		return -E2BIG;
	*bytes = total;
	return 0;
}

/* Append an auxv pair. */
static void aux(uint64_t *v, unsigned *n, uint64_t type, uint64_t val)
{
	v[(*n)++] = type;
	v[(*n)++] = val;
}

/* Build the stack below `top`; -EEXIST if something is in the way. */
static int build(struct mm *mm, const struct loader_args *a,
		 const struct stack_aux *x, bool exec_stack, uint64_t top,
		 struct loader_result *res)
{
	struct mm_layout *l = mm_layout(mm);
	uint64_t strings, p, sp, base, start;
	uint64_t argc = a->argc ? a->argc : 1, items, size, execfn, plat, rnd;
	uint64_t auxv[2 * 32], *ptrs;
	uint8_t random_bytes[16], *buf;
	unsigned na = 0;
	size_t i;
	int err;
	int64_t r;
	struct mm_map_args m = {0};

	err = check_limits(a, &strings);
	if (err)
		return err;
	if (a->random)
		err = a->random(a->open_ctx, random_bytes,
				sizeof(random_bytes));
	else if (getrandom(random_bytes, sizeof(random_bytes), 0) !=
		 (ssize_t)sizeof(random_bytes))
		err = -EIO;
	if (err)
		return err;

	/* The strings, top down (bprm->p starts a pointer below the top). */
	p = top - 8 - strings;
	l->arg_start = p;
	execfn = top - 8 - (strlen(a->execfn) + 1);

	/* create_elf_tables(). */
	p &= ~15ULL;
	plat = p -= sizeof(PLATFORM);
	rnd = p -= sizeof(random_bytes);
	if (x->sysinfo_ehdr)
		aux(auxv, &na, LINUX_AT_SYSINFO_EHDR, x->sysinfo_ehdr);
	aux(auxv, &na, LINUX_AT_MINSIGSTKSZ,
	    a->minsigstksz ? a->minsigstksz : default_minsigstksz());
	aux(auxv, &na, LINUX_AT_HWCAP, hwcap());
	aux(auxv, &na, LINUX_AT_PAGESZ, PAGE);
	aux(auxv, &na, LINUX_AT_CLKTCK, 100);
	aux(auxv, &na, LINUX_AT_PHDR, x->phdr);
	aux(auxv, &na, LINUX_AT_PHENT, sizeof(struct linux_elf64_phdr));
	aux(auxv, &na, LINUX_AT_PHNUM, x->phnum);
	aux(auxv, &na, LINUX_AT_BASE, x->base);
	aux(auxv, &na, LINUX_AT_FLAGS, 0);
	aux(auxv, &na, LINUX_AT_ENTRY, x->entry);
	aux(auxv, &na, LINUX_AT_UID, a->uid);
	aux(auxv, &na, LINUX_AT_EUID, a->euid);
	aux(auxv, &na, LINUX_AT_GID, a->gid);
	aux(auxv, &na, LINUX_AT_EGID, a->egid);
	aux(auxv, &na, LINUX_AT_SECURE, a->secure);
	aux(auxv, &na, LINUX_AT_RANDOM, rnd);
	aux(auxv, &na, LINUX_AT_HWCAP2, getauxval(AT_HWCAP2));
	aux(auxv, &na, LINUX_AT_EXECFN, execfn);
	aux(auxv, &na, LINUX_AT_PLATFORM, plat);
	aux(auxv, &na, LINUX_AT_NULL, 0);
	sp = p - na * 8ULL;
	items = (argc + 1) + (a->envc + 1) + 1;
	sp = (sp - items * 8) & ~15ULL;

	/* The whole image from sp to the top, built here, copied once. */
	size = top - sp;
	buf = calloc(1, size);
	if (!buf)
		return -ENOMEM;
	ptrs = (uint64_t *)buf;
	*ptrs++ = argc;
	p = l->arg_start;
	for (i = 0; i < argc; i++) {
		const char *s = a->argc ? a->argv[i] : "";
		size_t n = strlen(s) + 1;

		*ptrs++ = p;
		memcpy(buf + (p - sp), s, n);
		p += n;
	}
	*ptrs++ = 0;
	l->arg_end = l->env_start = p;
	for (i = 0; i < a->envc; i++) {
		size_t n = strlen(a->envp[i]) + 1;

		*ptrs++ = p;
		memcpy(buf + (p - sp), a->envp[i], n);
		p += n;
	}
	*ptrs++ = 0;
	l->env_end = p;
	memcpy(buf + (execfn - sp), a->execfn, strlen(a->execfn) + 1);
	memcpy(ptrs, auxv, na * 8ULL);
	memcpy(buf + (rnd - sp), random_bytes, sizeof(random_bytes));
	memcpy(buf + (plat - sp), PLATFORM, sizeof(PLATFORM));

	/* The stack vma: the pages of the strings plus 128 KiB to grow
	 * into (setup_arg_pages), all of the tables, within the limit. */
	start = (l->arg_start & ~(PAGE - 1));
	base = start - STACK_EXPAND;
	if ((top - start) + STACK_EXPAND > (a->stack_limit & ~(PAGE - 1)))
		base = top - (a->stack_limit & ~(PAGE - 1));
	if (base > start)
		base = start;
	if (base > (sp & ~(PAGE - 1)))
		base = sp & ~(PAGE - 1);
	m.addr = base;
	m.len = top - base;
	m.prot = LINUX_PROT_READ | LINUX_PROT_WRITE |
		 (exec_stack ? LINUX_PROT_EXEC : 0);
	/* Never over something already there (the platform's vDSO). */
	m.flags = LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS |
		  LINUX_MAP_FIXED_NOREPLACE | LINUX_MAP_GROWSDOWN;
	m.maxprot = LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC;
	r = mm_map(mm, &m);
	if (r < 0) {
		free(buf);
		return r == -EEXIST ? -EEXIST : -ENOMEM;
	}
	err = mm_copy_out(mm, sp, buf, size);
	free(buf);
	if (err)
		return -ENOMEM;
	l->start_stack = sp;
	memcpy(l->auxv, auxv, na * 8ULL);
	l->auxv_len = na;
	res->sp = sp;
	return 0;
}

int loader_build_stack(struct mm *mm, const struct loader_args *a,
		       const struct stack_aux *x, bool exec_stack,
		       struct loader_result *res)
{
	int err = build(mm, a, x, exec_stack, mm_max_addr(), res);
	const struct platform_info *pi;
	uint64_t top;

	/* The stack goes at the top, as on Linux; the platform's vDSO may
	 * be there already (it stays where the host put it): then right
	 * below it. */
	if (err != -EEXIST || !a->platform)
		return err;
	pi = &a->platform->info;
	top = pi->vdso_addr;
	if (pi->vvar_addr && (!top || pi->vvar_addr < top))
		top = pi->vvar_addr;
	if (!top)
		return -ENOMEM;
	err = build(mm, a, x, exec_stack, top & ~(PAGE - 1), res);
	return err == -EEXIST ? -ENOMEM : err;
}
