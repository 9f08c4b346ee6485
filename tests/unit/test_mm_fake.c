/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_mm_fake.c: an in-process platform for the mm tests (included by
 * them, not built alone).
 *
 * Each guest address space is a window of the test process's own address
 * space: guest address A lives at window + A. as_map maps the memory file
 * there with the requested protection, so a test touches "guest" memory
 * with real loads and stores, takes real faults (a SIGSEGV handler calls
 * mm_fault and retries, as the task loop would), and sees exactly the
 * protections the mm asked for. A shadow of every mapped page (its
 * memory-file offset and protection) lets fake_check() compare the
 * platform's state with the mm's pmas, and as_protect over an unmapped
 * hole (an error on a real stub) is reported.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "platform/platform.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm_internal.h"

#define FAKE_MIN 0x10000ULL
#define FAKE_MAX (1ULL << 36) /* 64 GiB of guest space per as */
#define FAKE_PAGES (FAKE_MAX >> 12)

struct platform_as {
	uint8_t *base;
	uint64_t *foff;	 /* per page: memory-file offset + 1, 0 = unmapped */
	uint8_t *prot;	 /* per page */
	uint64_t mapped; /* pages mapped */
};

static struct fake_stats {
	unsigned maps, unmaps, protects, errors;
} fake_stats;

static int fake_memfd = -1;

static bool fake_range_ok(uint64_t addr, uint64_t len)
{
	return !(addr & 4095) && !(len & 4095) && len && addr >= FAKE_MIN &&
	       addr <= FAKE_MAX && len <= FAKE_MAX - addr;
}

static int fake_as_new(struct platform *p, struct platform_as **out)
{
	struct platform_as *as = calloc(1, sizeof(*as));

	(void)p;
	as->base = mmap(NULL, FAKE_MAX, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	as->foff = mmap(NULL, FAKE_PAGES * 8, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	as->prot = mmap(NULL, FAKE_PAGES, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (as->base == MAP_FAILED || as->foff == MAP_FAILED ||
	    as->prot == MAP_FAILED)
		abort();
	*out = as;
	return 0;
}

static void fake_shadow_clear(struct platform_as *as, uint64_t addr,
			      uint64_t len)
{
	for (uint64_t a = addr; a < addr + len; a += 4096) {
		if (as->foff[a >> 12])
			as->mapped--;
		as->foff[a >> 12] = 0;
	}
}

static int fake_as_map(struct platform_as *as, uint64_t addr, uint64_t len,
		       uint64_t off, int prot)
{
	fake_stats.maps++;
	if (!fake_range_ok(addr, len)) {
		fake_stats.errors++;
		return -EINVAL;
	}
	if (mmap(as->base + addr, len, prot, MAP_SHARED | MAP_FIXED, fake_memfd,
		 (off_t)off) == MAP_FAILED) {
		fake_stats.errors++;
		return -errno;
	}
	fake_shadow_clear(as, addr, len);
	for (uint64_t a = 0; a < len; a += 4096) {
		as->foff[(addr + a) >> 12] = off + a + 1;
		as->prot[(addr + a) >> 12] = (uint8_t)prot;
		as->mapped++;
	}
	return 0;
}

static int fake_as_unmap(struct platform_as *as, uint64_t addr, uint64_t len)
{
	fake_stats.unmaps++;
	if (!fake_range_ok(addr, len)) {
		fake_stats.errors++;
		return -EINVAL;
	}
	mmap(as->base + addr, len, PROT_NONE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	fake_shadow_clear(as, addr, len);
	return 0;
}

static int fake_as_protect(struct platform_as *as, uint64_t addr, uint64_t len,
			   int prot)
{
	fake_stats.protects++;
	if (!fake_range_ok(addr, len)) {
		fake_stats.errors++;
		return -EINVAL;
	}
	/* A real stub's mprotect fails on an unmapped hole. */
	for (uint64_t a = addr; a < addr + len; a += 4096) {
		if (!as->foff[a >> 12]) {
			fake_stats.errors++;
			return -ENOMEM;
		}
		as->prot[a >> 12] = (uint8_t)prot;
	}
	if (mprotect(as->base + addr, len, prot)) {
		fake_stats.errors++;
		return -errno;
	}
	return 0;
}

static void fake_as_release(struct platform_as *as)
{
	munmap(as->base, FAKE_MAX);
	munmap(as->foff, FAKE_PAGES * 8);
	munmap(as->prot, FAKE_PAGES);
	free(as);
}

static const struct platform_ops fake_ops = {
	.name = "fake",
	.as_new = fake_as_new,
	.as_map = fake_as_map,
	.as_unmap = fake_as_unmap,
	.as_protect = fake_as_protect,
	.as_release = fake_as_release,
};

static struct platform fake_platform = {
	.ops = &fake_ops,
	.info = {.min_addr = FAKE_MIN, .max_addr = FAKE_MAX},
};

static struct memfile *fake_mf;

/* Set up mm with a fresh memory file and the fake platform (or none). */
static void fake_setup(bool with_platform)
{
	if (!fake_mf && memfile_new(0, &fake_mf))
		abort();
	fake_memfd = memfile_fd(fake_mf);
	mm_init(fake_mf, with_platform ? &fake_platform : NULL);
	memset(&fake_stats, 0, sizeof(fake_stats));
}

/* The platform's view agrees with the pmas: every mapped pma page is
 * mapped at its memory-file page with its protection, and nothing else
 * is mapped. 0 or the line that disagreed. */
static int fake_check(struct mm *mm)
{
	struct platform_as *as = mm_as(mm);
	uint64_t mapped = 0;
	struct pma *p;
	int r = mm_check(mm);

	if (r)
		return r;
	if (!as)
		return 0;
	RB_FOREACH(p, pma_tree, &mm->pmas)
	{
		struct vma *v = vma_find(mm, p->start);

		if (!p->mapped)
			continue;
		for (uint64_t a = p->start; a < p->end; a += 4096) {
			if (as->foff[a >> 12] != p->foff + (a - p->start) + 1)
				return __LINE__;
			if (as->prot[a >> 12] != pma_prot(v, p))
				return __LINE__;
			mapped++;
		}
	}
	if (mapped != as->mapped)
		return __LINE__;
	if (fake_stats.errors)
		return __LINE__;
	return 0;
}

/* The host address of guest address a in mm's window. */
static void *fake_ptr(struct mm *mm, uint64_t a)
{
	return mm_as(mm)->base + a;
}

/* Guest accesses: a real load or store in the window; faults go to
 * mm_fault like the task loop's, and a fault mm cannot resolve ends the
 * access with the signal it would send. */
static struct mm *fake_cur_mm;
static sigjmp_buf fake_jmp;
static volatile int fake_sig, fake_code, fake_faults;

static void fake_segv(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint64_t a = (uint64_t)(uintptr_t)si->si_addr;
	struct platform_as *as = mm_as(fake_cur_mm);
	int access = (uc->uc_mcontext.gregs[REG_ERR] & 2) ? TRAP_ACCESS_WRITE
							  : TRAP_ACCESS_READ;
	int code = 0, rc;

	(void)sig;
	fake_faults++;
	if (a < (uint64_t)(uintptr_t)as->base ||
	    a >= (uint64_t)(uintptr_t)as->base + FAKE_MAX) {
		fake_sig = -1; /* a bug in the test itself */
		siglongjmp(fake_jmp, 1);
	}
	rc = mm_fault(fake_cur_mm, a - (uint64_t)(uintptr_t)as->base, access,
		      &code);
	if (rc) {
		fake_sig = rc == -EIO ? SIGBUS : SIGSEGV;
		fake_code = code;
		siglongjmp(fake_jmp, 1);
	}
}

static void fake_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fake_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/* Store a byte as the guest; 0 or the signal the guest would get. */
__attribute__((noinline)) static int guest_write(struct mm *mm, uint64_t a,
						 uint8_t val)
{
	fake_cur_mm = mm;
	fake_sig = 0;
	if (sigsetjmp(fake_jmp, 1) == 0)
		*(volatile uint8_t *)fake_ptr(mm, a) = val;
	return fake_sig;
}

/* Load a byte as the guest into *val; 0 or the signal. */
__attribute__((noinline)) static int guest_read(struct mm *mm, uint64_t a,
						uint8_t *val)
{
	fake_cur_mm = mm;
	fake_sig = 0;
	if (sigsetjmp(fake_jmp, 1) == 0)
		*val = *(volatile uint8_t *)fake_ptr(mm, a);
	return fake_sig;
}
