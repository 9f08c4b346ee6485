/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_mm_ptrace: address spaces on the real ptrace platform. Guest code
 * runs in a stub, takes real page faults that mm_fault resolves, and the
 * Sentry reads the results through mm_copy_in: anonymous memory,
 * copy-on-write after fork, mremap and MADV_DONTNEED, and a program the
 * loader loaded, run to its first system call. Skipped (77) where ptrace
 * is not allowed.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "gen/linux_flags.h"
#include "platform/platform.h"
#include "sentry/abi/elf.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"

#define PG 4096ULL

static struct memfile *mf;
static struct platform *plat;
static struct platform_ctx *ctx;

/* mov %rsi,(%rdi); mov $4,%eax; syscall; ud2 */
static const uint8_t store_code[] = {0x48, 0x89, 0x37, 0xb8, 4,	   0,
				     0,	   0,	 0x0f, 0x05, 0x0f, 0x0b};
/* mov (%rdi),%rsi; mov $5,%eax; syscall; ud2 */
static const uint8_t load_code[] = {0x48, 0x8b, 0x37, 0xb8, 5,	  0,
				    0,	  0,	0x0f, 0x05, 0x0f, 0x0b};

static int64_t map_anon(struct mm *mm, uint64_t len, int prot)
{
	struct mm_map_args a = {
		.len = len,
		.prot = prot,
		.flags = LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS,
		.maxprot = 7,
	};

	return mm_map(mm, &a);
}

/* A code page holding `code`, mapped read-execute. */
static uint64_t map_code(struct mm *mm, const uint8_t *code, size_t n)
{
	int64_t a = map_anon(mm, PG, LINUX_PROT_READ | LINUX_PROT_WRITE);

	assert_true(a > 0);
	assert_int_equal(mm_copy_out(mm, (uint64_t)a, code, n), 0);
	assert_int_equal(mm_protect(mm, (uint64_t)a, PG,
				    LINUX_PROT_READ | LINUX_PROT_EXEC),
			 0);
	return (uint64_t)a;
}

static void state_init(struct cpu_state *st, uint64_t rip, uint64_t rsp)
{
	memset(&st->regs, 0, sizeof(st->regs));
	st->fpu_len = platform_fpu_size();
	if (!st->fpu)
		st->fpu = aligned_alloc(64, st->fpu_len);
	platform_fpu_init(st);
	st->regs.rip = rip;
	st->regs.rsp = rsp;
	st->regs.eflags = 0x202;
}

/* Run until something other than a fault mm can resolve; returns the
 * trap (with the number of faults resolved). */
static struct trap run(struct mm *mm, struct cpu_state *st, int *faults)
{
	struct trap tr;

	*faults = 0;
	for (;;) {
		int code, rc;

		assert_int_equal(plat->ops->ctx_switch(ctx, mm_as(mm), st, &tr),
				 0);
		if (tr.kind != TRAP_FAULT)
			return tr;
		rc = mm_fault(mm, tr.addr, tr.access, &code);
		if (rc)
			return tr;
		if (++*faults > 100)
			fail_msg("fault loop at %#llx",
				 (unsigned long long)tr.addr);
	}
}

/* Run `code` with rdi/rsi set; expect it to end with syscall `nr`. */
static void run_code(struct mm *mm, uint64_t code, uint64_t rdi, uint64_t rsi,
		     uint64_t nr, uint64_t *rsi_out)
{
	struct cpu_state st = {0};
	struct trap tr;
	int faults;

	state_init(&st, code, 0);
	st.regs.rdi = rdi;
	st.regs.rsi = rsi;
	tr = run(mm, &st, &faults);
	assert_int_equal(tr.kind, TRAP_SYSCALL);
	assert_int_equal(st.regs.orig_rax, nr);
	if (rsi_out)
		*rsi_out = st.regs.rsi;
	free(st.fpu);
}

static uint64_t peek(struct mm *mm, uint64_t a)
{
	uint64_t v;

	assert_int_equal(mm_copy_in(mm, a, &v, 8), 0);
	return v;
}

static int setup(void **state)
{
	(void)state;
	if (memfile_new(0, &mf))
		return -1;
	if (platform_ptrace_new(memfile_fd(mf), &plat)) {
		printf("# ptrace platform unavailable: skipped\n");
		exit(77);
	}
	mm_init(mf, plat);
	return plat->ops->ctx_new(plat, &ctx);
}

static void test_anon_fault(void **state)
{
	struct mm *mm;
	uint64_t code, data, v;
	struct cpu_state st = {0};
	struct trap tr;
	int faults;

	(void)state;
	assert_int_equal(mm_new(&mm), 0);
	code = map_code(mm, store_code, sizeof(store_code));
	data = (uint64_t)map_anon(mm, 64 * PG, 3);
	state_init(&st, code, 0);
	st.regs.rdi = data + 5 * PG;
	st.regs.rsi = 0x1234;
	tr = run(mm, &st, &faults);
	assert_int_equal(tr.kind, TRAP_SYSCALL);
	assert_int_equal(st.regs.orig_rax, 4);
	assert_true(faults >= 1);
	assert_int_equal(peek(mm, data + 5 * PG), 0x1234);
	/* Read-only now: the store is a SIGSEGV the mm reports. */
	assert_int_equal(mm_protect(mm, data, 64 * PG, LINUX_PROT_READ), 0);
	state_init(&st, code, 0);
	st.regs.rdi = data + 6 * PG;
	tr = run(mm, &st, &faults);
	assert_int_equal(tr.kind, TRAP_FAULT);
	{
		int c;

		assert_int_equal(mm_fault(mm, tr.addr, tr.access, &c), -EFAULT);
		assert_int_equal(c, 2 /* SEGV_ACCERR */);
	}
	/* Unmapped: SEGV_MAPERR. */
	assert_int_equal(mm_unmap(mm, data, 64 * PG), 0);
	state_init(&st, code, 0);
	st.regs.rdi = data;
	tr = run(mm, &st, &faults);
	assert_int_equal(tr.kind, TRAP_FAULT);
	{
		int c;

		assert_int_equal(mm_fault(mm, tr.addr, tr.access, &c), -EFAULT);
		assert_int_equal(c, 1 /* SEGV_MAPERR */);
	}
	(void)v;
	free(st.fpu);
	mm_put(mm);
}

static void test_fork_cow(void **state)
{
	struct mm *parent, *child;
	uint64_t code, load, data, v;

	(void)state;
	assert_int_equal(mm_new(&parent), 0);
	code = map_code(parent, store_code, sizeof(store_code));
	load = map_code(parent, load_code, sizeof(load_code));
	data = (uint64_t)map_anon(parent, 16 * PG, 3);
	run_code(parent, code, data, 0x1111, 4, NULL);
	assert_int_equal(mm_fork(parent, &child), 0);
	/* The child sees the parent's value, writes its own. */
	run_code(child, load, data, 0, 5, &v);
	assert_int_equal(v, 0x1111);
	run_code(child, code, data, 0x2222, 4, NULL);
	assert_int_equal(peek(parent, data), 0x1111);
	assert_int_equal(peek(child, data), 0x2222);
	/* And the parent's write stays the parent's. */
	run_code(parent, code, data + PG, 0x3333, 4, NULL);
	run_code(child, load, data + PG, 0, 5, &v);
	assert_int_equal(v, 0);
	run_code(parent, load, data + PG, 0, 5, &v);
	assert_int_equal(v, 0x3333);
	mm_put(child);
	/* Alone again: the parent writes without copying. */
	run_code(parent, code, data + 2 * PG, 0x4444, 4, NULL);
	assert_int_equal(peek(parent, data + 2 * PG), 0x4444);
	mm_put(parent);
}

static void test_remap_dontneed(void **state)
{
	struct mm *mm;
	uint64_t code, load, data, v;
	int64_t moved;

	(void)state;
	assert_int_equal(mm_new(&mm), 0);
	code = map_code(mm, store_code, sizeof(store_code));
	load = map_code(mm, load_code, sizeof(load_code));
	data = (uint64_t)map_anon(mm, 4 * PG, 3);
	run_code(mm, code, data + PG, 0xabcd, 4, NULL);
	moved = mm_remap(mm, data, 4 * PG, 64 * PG, LINUX_MREMAP_MAYMOVE, 0);
	assert_true(moved > 0);
	if ((uint64_t)moved != data) {
		/* The old place is gone from the stub too. */
		struct cpu_state st = {0};
		struct trap tr;
		int faults;

		state_init(&st, load, 0);
		st.regs.rdi = data + PG;
		tr = run(mm, &st, &faults);
		assert_int_equal(tr.kind, TRAP_FAULT);
		free(st.fpu);
	}
	run_code(mm, load, (uint64_t)moved + PG, 0, 5, &v);
	assert_int_equal(v, 0xabcd);
	assert_int_equal(
		mm_advise(mm, (uint64_t)moved, 4 * PG, LINUX_MADV_DONTNEED), 0);
	run_code(mm, load, (uint64_t)moved + PG, 0, 5, &v);
	assert_int_equal(v, 0);
	mm_put(mm);
}

/* ---- a loaded program ---- */

struct hostfile {
	int fd;
	char path[256];
};

static long hf_pread(void *c, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(((struct hostfile *)c)->fd, buf, len, (off_t)off);

	return n < 0 ? -errno : n;
}

static long hf_fill(struct mappable *m, uint64_t off, void *dst, size_t len)
{
	ssize_t n = pread(*(int *)mappable_priv(m), dst, len, (off_t)off);

	return n < 0 ? -errno : n;
}

static uint64_t hf_size(struct mappable *m)
{
	struct stat st;

	return fstat(*(int *)mappable_priv(m), &st) ? 0 : (uint64_t)st.st_size;
}

static void hf_release(struct mappable *m)
{
	close(*(int *)mappable_priv(m));
	free(mappable_priv(m));
}

static const struct mappable_ops hf_ops = {
	.fill = hf_fill, .size = hf_size, .release = hf_release};

static struct mappable *hf_mappable(void *c)
{
	int *fd = malloc(sizeof(*fd));

	*fd = dup(((struct hostfile *)c)->fd);
	return mappable_new(&hf_ops, fd);
}

/* Load and run to the first system call; returns its number. */
static uint64_t load_and_run(const char *path, uint64_t *rdi, uint64_t *sp)
{
	static const char *const argv[] = {"prog", "arg"};
	static const char *const envp[] = {"X=1"};
	struct hostfile h = {.fd = open(path, O_RDONLY)};
	struct loader_file lf = {.pread = hf_pread,
				 .mappable = hf_mappable,
				 .path = path,
				 .ctx = &h};
	struct loader_args a = {.argv = (char *const *)argv,
				.argc = 2,
				.envp = (char *const *)envp,
				.envc = 1,
				.execfn = path,
				.stack_limit = 8 << 20,
				.platform = plat};
	struct loader_result res;
	struct cpu_state st = {0};
	struct trap tr;
	struct mm *mm;
	int faults;

	assert_true(h.fd >= 0);
	assert_int_equal(mm_new(&mm), 0);
	assert_int_equal(loader_exec(mm, &lf, &a, &res), 0);
	close(h.fd);
	state_init(&st, res.entry, res.sp);
	tr = run(mm, &st, &faults);
	if (tr.kind != TRAP_SYSCALL)
		fail_msg("trap %d at %#llx (rip %#llx)", tr.kind,
			 (unsigned long long)tr.addr,
			 (unsigned long long)st.regs.rip);
	*rdi = st.regs.rdi;
	*sp = res.sp;
	free(st.fpu);
	mm_put(mm);
	return st.regs.orig_rax;
}

static void test_loaded_elf(void **state)
{
	/* A minimal static program: exit(7). */
	static const uint8_t code[] = {0xb8, 0x3c, 0, 0, 0,    0xbf,
				       7,    0,	   0, 0, 0x0f, 0x05};
	uint8_t file[0x2000] = {0};
	struct linux_elf64_ehdr *eh = (void *)file;
	struct linux_elf64_phdr *ph = (void *)(file + 64);
	char path[] = "/tmp/test_mm_ptrace.XXXXXX";
	uint64_t rdi, sp;
	int fd = mkstemp(path);

	(void)state;
	memcpy(eh->e_ident, LINUX_ELFMAG, 4);
	eh->e_ident[LINUX_EI_CLASS] = LINUX_ELFCLASS64;
	eh->e_ident[LINUX_EI_DATA] = LINUX_ELFDATA2LSB;
	eh->e_type = LINUX_ET_EXEC;
	eh->e_machine = LINUX_EM_X86_64;
	eh->e_entry = 0x401000;
	eh->e_phoff = 64;
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = LINUX_PT_LOAD;
	ph->p_flags = LINUX_PF_R | LINUX_PF_X;
	ph->p_vaddr = 0x400000;
	ph->p_filesz = ph->p_memsz = 0x1000 + sizeof(code);
	memcpy(file + 0x1000, code, sizeof(code));
	assert_int_equal(write(fd, file, sizeof(file)), (ssize_t)sizeof(file));
	close(fd);
	assert_int_equal(load_and_run(path, &rdi, &sp), 60);
	assert_int_equal(rdi, 7);
	unlink(path);
}

/* A real static binary runs to its first system call. */
static void test_busybox(void **state)
{
	uint64_t rdi, sp, nr;

	(void)state;
	if (access("/bin/busybox", R_OK))
		skip();
	nr = load_and_run("/bin/busybox", &rdi, &sp);
	printf("# busybox's first syscall: %llu\n", (unsigned long long)nr);
	assert_true(nr < 512);
}

/*
 * Run a real program further: `busybox echo` under a few lines of system
 * call emulation, with brk, mmap, munmap and mprotect served by sentry/mm.
 * It proves the layout (TLS, heap, stack, auxv) satisfies a real C
 * runtime, not just the loader's own expectations.
 */
static void test_busybox_echo(void **state)
{
	static const char *const argv[] = {"echo", "hello", "mm"};
	struct hostfile h = {.fd = open("/bin/busybox", O_RDONLY)};
	struct loader_file lf = {.pread = hf_pread,
				 .mappable = hf_mappable,
				 .path = "/bin/busybox",
				 .ctx = &h};
	struct loader_args a = {.argv = (char *const *)argv,
				.argc = 3,
				.execfn = "/bin/echo",
				.stack_limit = 8 << 20,
				.platform = plat};
	struct loader_result res;
	struct cpu_state st = {0};
	char out[256] = {0};
	size_t outlen = 0;
	struct mm *mm;
	int steps = 0;

	(void)state;
	if (h.fd < 0)
		skip();
	assert_int_equal(mm_new(&mm), 0);
	assert_int_equal(loader_exec(mm, &lf, &a, &res), 0);
	close(h.fd);
	state_init(&st, res.entry, res.sp);
	for (;;) {
		struct cpu_state *s = &st;
		struct trap tr;
		int faults;
		int64_t r = -38; /* ENOSYS */
		uint64_t *g = &s->regs.rdi;

		tr = run(mm, s, &faults);
		if (tr.kind != TRAP_SYSCALL)
			fail_msg("trap %d at %#llx", tr.kind,
				 (unsigned long long)tr.addr);
		if (++steps > 500)
			fail_msg("too many system calls");
		switch (s->regs.orig_rax) {
		case 1: /* write */
			if (*g == 1 && outlen + s->regs.rdx < sizeof(out) &&
			    mm_copy_in(mm, s->regs.rsi, out + outlen,
				       s->regs.rdx) == 0) {
				outlen += s->regs.rdx;
				r = (int64_t)s->regs.rdx;
			} else {
				r = -14;
			}
			break;
		case 9: { /* mmap: anonymous only */
			struct mm_map_args m = {.addr = s->regs.rdi,
						.len = s->regs.rsi,
						.prot = (int)s->regs.rdx,
						.flags = (int)s->regs.r10,
						.maxprot = 7};

			r = (s->regs.r10 & LINUX_MAP_ANONYMOUS) ? mm_map(mm, &m)
								: -19;
			break;
		}
		case 10:
			r = mm_protect(mm, s->regs.rdi, s->regs.rsi,
				       s->regs.rdx);
			break;
		case 11:
			r = mm_unmap(mm, s->regs.rdi, s->regs.rsi);
			break;
		case 12:
			r = (int64_t)mm_brk(mm, s->regs.rdi, UINT64_MAX);
			break;
		case 158: /* arch_prctl(ARCH_SET_FS) */
			if (s->regs.rdi == 0x1002) {
				s->regs.fs_base = s->regs.rsi;
				r = 0;
			}
			break;
		case 218: /* set_tid_address */
			r = 1;
			break;
		case 60:
		case 231: /* exit, exit_group */
			assert_int_equal(s->regs.rdi, 0);
			out[outlen] = 0;
			assert_string_equal(out, "hello mm\n");
			free(st.fpu);
			mm_put(mm);
			return;
		default:
			break;
		}
		s->regs.rax = (uint64_t)r;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anon_fault),
		cmocka_unit_test(test_fork_cow),
		cmocka_unit_test(test_remap_dontneed),
		cmocka_unit_test(test_loaded_elf),
		cmocka_unit_test(test_busybox),
		cmocka_unit_test(test_busybox_echo),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
