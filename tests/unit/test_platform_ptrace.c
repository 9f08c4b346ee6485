// SPDX-License-Identifier: Apache-2.0
/*
 * test_platform_ptrace.c: the ptrace platform, run for real.
 *
 * Machine code below (guest_*) is copied into a memory file, mapped into
 * stub address spaces with as_map, and run with ctx_switch; the test plays
 * the Sentry's part and checks every kind of trap, interrupts, isolation,
 * threads, memory protection, clean-up and that the guest cannot escape.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cpuid.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <cmocka.h>

#include "platform/platform.h"
#include "platform/ptrace/debug.h"
#include "platform/ptrace/stub.h"

#define PAGE 4096UL
#define MEM_SIZE (64UL << 20)
#define CODE_ADDR 0x400000UL
#define DATA_ADDR 0x600000UL
#define FAR_ADDR 0x20000000UL
#define ESCAPE_PATH "/tmp/cvisor-escape-test"

/* The guest code; every entry point is a label. */
/* clang-format off */
asm(".pushsection .rodata.guest, \"a\"\n"
    ".balign 4096\n"
    "guest_start:\n"
    /* syscall 39, syscall 1234, a load from rdi, syscall 1235, ud2 */
    "guest_basic:\n"
    "	mov $39, %eax\n"
    "	syscall\n"
    "	mov %rax, %rbx\n"
    "	mov $1234, %eax\n"
    "	syscall\n"
    "guest_basic_load:\n"
    "	mov (%rdi), %rsi\n"
    "	mov $1235, %eax\n"
    "	syscall\n"
    "guest_basic_ud2:\n"
    "	ud2\n"
    "guest_int3:\n"
    "	int3\n"
    "guest_int3_after:\n"
    "	ud2\n"
    "guest_div:\n"
    "	xor %ecx, %ecx\n"
    "	mov $1, %eax\n"
    "	xor %edx, %edx\n"
    "guest_div_insn:\n"
    "	div %ecx\n"
    "	ud2\n"
    "guest_fs:\n"
    "	mov %fs:0, %rdi\n"
    "	mov $1, %eax\n"
    "	syscall\n"
    "	ud2\n"
    "guest_xmm:\n"
    "	movdqu %xmm0, (%rdi)\n"
    "	pcmpeqd %xmm1, %xmm1\n"
    "	mov $2, %eax\n"
    "	syscall\n"
    "	ud2\n"
    "guest_avx:\n"
    "	vmovdqu %ymm3, (%rdi)\n"
    "	vpcmpeqd %ymm2, %ymm2, %ymm2\n"
    "	mov $3, %eax\n"
    "	syscall\n"
    "	ud2\n"
    "guest_spin:\n"
    "	jmp guest_spin\n"
    "guest_escape:\n"
    "	mov $83, %eax\n" /* mkdir(path, 0755) */
    "	lea guest_escape_path(%rip), %rdi\n"
    "	mov $0755, %esi\n"
    "	syscall\n"
    "	mov $231, %eax\n" /* exit_group(0) */
    "	xor %edi, %edi\n"
    "	syscall\n"
    "	mov $62, %eax\n" /* kill(0, SIGKILL) */
    "	xor %edi, %edi\n"
    "	mov $9, %esi\n"
    "	syscall\n"
    "	mov $39, %eax\n"
    "	syscall\n"
    "	ud2\n"
    "guest_escape_path:\n"
    "	.asciz \"" ESCAPE_PATH "\"\n"
    "guest_store:\n"
    "	movq $0x1234, (%rdi)\n"
    "	mov $4, %eax\n"
    "	syscall\n"
    "	ud2\n"
    "guest_load:\n"
    "	mov (%rdi), %rsi\n"
    "	mov $5, %eax\n"
    "	syscall\n"
    "	ud2\n"
    "guest_loop:\n" /* rbx times syscall 39, then syscall 60 */
    "	mov $39, %eax\n"
    "	syscall\n"
    "	dec %rbx\n"
    "	jnz guest_loop\n"
    "	mov $60, %eax\n"
    "	syscall\n"
    "	ud2\n"
    "guest_bench:\n"
    "	mov $39, %eax\n"
    "	syscall\n"
    "	jmp guest_bench\n"
    "guest_push:\n"
    "	push %rax\n"
    "	ud2\n"
    "guest_64:\n"
    "	movabs $0x123456789a, %rax\n"
    "	mov %rax, %rdi\n"
    "	mov $6, %eax\n"
    "	syscall\n"
    "	ud2\n"
    "guest_tf:\n"
    "	nop\n"
    "guest_tf_after:\n"
    "	nop\n"
    "	ud2\n"
    "guest_hlt:\n"
    "	hlt\n"
    "guest_call:\n"
    "	call *%rdi\n"
    "	ud2\n"
    /* Keep xmm0 across a fault: load from rdi, then store xmm0 at rsi. */
    "guest_xmm_fault:\n"
    "	mov (%rdi), %rax\n"
    "	movdqu %xmm0, (%rsi)\n"
    "	mov $7, %eax\n"
    "	syscall\n"
    "	ud2\n"
    "guest_int80:\n"
    "	mov $20, %eax\n"
    "	int $0x80\n"
    "	mov $39, %eax\n"
    "	syscall\n"
    "	ud2\n"
    "guest_end:\n"
    ".popsection\n");
/* clang-format on */

extern const uint8_t guest_start[], guest_end[], guest_basic[],
	guest_basic_load[], guest_basic_ud2[], guest_int3[], guest_int3_after[],
	guest_div[], guest_div_insn[], guest_fs[], guest_xmm[], guest_avx[],
	guest_spin[], guest_escape[], guest_store[], guest_load[], guest_loop[],
	guest_bench[], guest_push[], guest_64[], guest_tf[], guest_tf_after[],
	guest_hlt[], guest_call[], guest_xmm_fault[], guest_int80[];

static int memfd;
static uint8_t *mem;
static uint64_t mem_next;
static uint64_t code_off;
static struct platform *plat;
static const struct platform_ops *ops;

/* The guest address of a label of the guest code. */
static uint64_t gaddr(const uint8_t *label)
{
	return CODE_ADDR + (uint64_t)(label - guest_start);
}

/* Take n fresh zeroed pages of the memory file; returns their offset. */
static uint64_t mem_alloc(size_t n)
{
	uint64_t off = mem_next;

	mem_next += n * PAGE;
	assert_true(mem_next <= MEM_SIZE);
	memset(mem + off, 0, n * PAGE);
	return off;
}

static size_t code_pages(void)
{
	return ((size_t)(guest_end - guest_start) + PAGE - 1) / PAGE;
}

/* A fresh address space with the guest code at CODE_ADDR and one RW data
 * page at DATA_ADDR; returns the data page's memory file offset. */
static struct platform_as *as_setup(uint64_t *data_off)
{
	struct platform_as *as;
	uint64_t off = mem_alloc(1);

	assert_int_equal(ops->as_new(plat, &as), 0);
	assert_int_equal(ops->as_map(as, CODE_ADDR, code_pages() * PAGE,
				     code_off, PROT_READ | PROT_EXEC),
			 0);
	assert_int_equal(
		ops->as_map(as, DATA_ADDR, PAGE, off, PROT_READ | PROT_WRITE),
		0);
	if (data_off)
		*data_off = off;
	return as;
}

static void state_init(struct cpu_state *st, const uint8_t *entry)
{
	memset(&st->regs, 0, sizeof(st->regs));
	st->fpu_len = platform_fpu_size();
	if (!st->fpu)
		st->fpu = aligned_alloc(64, st->fpu_len);
	assert_non_null(st->fpu);
	platform_fpu_init(st);
	st->regs.rip = gaddr(entry);
	st->regs.rsp = DATA_ADDR + PAGE;
	st->regs.eflags = 0x202;
}

static void state_free(struct cpu_state *st)
{
	free(st->fpu);
	st->fpu = NULL;
}

/* ctx_switch that must succeed. */
static void run(struct platform_ctx *ctx, struct platform_as *as,
		struct cpu_state *st, struct trap *trap)
{
	assert_int_equal(ops->ctx_switch(ctx, as, st, trap), 0);
}

static void expect_syscall(struct platform_ctx *ctx, struct platform_as *as,
			   struct cpu_state *st, uint64_t nr)
{
	struct trap trap;

	run(ctx, as, st, &trap);
	assert_int_equal(trap.kind, TRAP_SYSCALL);
	assert_int_equal(st->regs.orig_rax, nr);
	assert_int_equal(st->regs.rax, nr);
	assert_int_equal(trap.code, 0); /* the syscall instruction */
}

/* The host children of this process, and how many are zombies. */
static int count_children(int *zombies)
{
	char path[300], buf[512], *p;
	struct dirent *de;
	int n = 0, ppid;
	char state;
	DIR *d;
	FILE *f;

	*zombies = 0;
	d = opendir("/proc");
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(buf, sizeof(buf), f)) {
			fclose(f);
			continue;
		}
		fclose(f);
		p = strrchr(buf, ')');
		if (!p || sscanf(p + 2, "%c %d", &state, &ppid) != 2)
			continue;
		if (ppid == getpid()) {
			n++;
			if (state == 'Z')
				(*zombies)++;
		}
	}
	closedir(d);
	return n;
}

/* Threads of a host process. */
static int count_tasks(pid_t pid)
{
	char path[64];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The platform reports a sane layout, and a stub holds nothing else. */
static void test_layout(void **unused)
{
	const struct platform_info *info = &plat->info;
	struct platform_as *as;
	char path[64], line[512];
	bool vdso = false, vvar = false;
	unsigned long long min = 0;
	FILE *f;

	(void)unused;
	f = fopen("/proc/sys/vm/mmap_min_addr", "re");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%llu", &min), 1);
	fclose(f);
	assert_int_equal(info->min_addr, min < PAGE ? PAGE : min);
	assert_true(info->max_addr > 0x7f0000000000UL);
	assert_true(info->max_addr <= 0x7ffffffff000UL);
	assert_true(info->vdso_addr && info->vdso_len);
	assert_true(info->vvar_addr && info->vvar_len);

	assert_int_equal(ops->as_new(plat, &as), 0);
	snprintf(path, sizeof(path), "/proc/%d/maps",
		 (int)platform_ptrace_as_pid(as));
	f = fopen(path, "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;

		assert_int_equal(sscanf(line, "%llx-%llx", &s, &e), 2);
		if (strstr(line, "[vdso]")) {
			assert_int_equal(s, info->vdso_addr);
			assert_int_equal(e - s, info->vdso_len);
			vdso = true;
		} else if (strstr(line, "[vvar")) {
			assert_true(s >= info->vvar_addr);
			assert_true(e <= info->vvar_addr + info->vvar_len);
			vvar = true;
		} else if (strstr(line, "[vsyscall]")) {
			assert_true(s >= 0x7ffffffff000UL);
		} else {
			/* Only the stub region, above every guest address;
			 * no stack, heap or file of the Sentry. */
			assert_true(s >= info->max_addr);
			assert_true(e <= 0x7ffffffff000UL);
			assert_null(strstr(line, "/"));
			assert_null(strstr(line, "[stack"));
		}
	}
	fclose(f);
	assert_true(vdso);
	assert_true(vvar);
	ops->as_release(as);
}

/* A stub holds only the memory file, and its leader thread sleeps
 * untraced with every signal blocked. */
static void test_stub_process(void **unused)
{
	char path[64], line[512], target[256];
	struct platform_as *as;
	struct dirent *de;
	unsigned long long blk;
	int n = 0, tracer = -1, seccomp = -1;
	ssize_t len;
	pid_t pid;
	DIR *d;
	FILE *f;

	(void)unused;
	assert_int_equal(ops->as_new(plat, &as), 0);
	pid = platform_ptrace_as_pid(as);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "TracerPid:", 10))
			tracer = atoi(line + 10);
		if (!strncmp(line, "Seccomp:", 8))
			seccomp = atoi(line + 8);
		if (sscanf(line, "SigBlk: %llx", &blk) == 1)
			assert_int_equal(blk | 0x100ULL | 0x40000ULL, ~0ULL);
	}
	fclose(f);
	assert_int_equal(tracer, 0);
	assert_int_equal(seccomp, SECCOMP_MODE_FILTER); /* the test's hook */

	/* Only the memory file is open in the stub, at fd 3. */
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		assert_string_equal(de->d_name, "3");
		n++;
	}
	closedir(d);
	assert_int_equal(n, 1);
	snprintf(path, sizeof(path), "/proc/%d/fd/3", (int)pid);
	len = readlink(path, target, sizeof(target) - 1);
	assert_true(len > 0);
	target[len] = '\0';
	assert_non_null(strstr(target, "memfd:cvisor-test-mem"));
	ops->as_release(as);
}

/* Range checks: the guest may not map over reserved ranges. */
static void test_ranges(void **unused)
{
	const struct platform_info *info = &plat->info;
	struct platform_as *as;
	uint64_t off = mem_alloc(1);

	(void)unused;
	assert_int_equal(ops->as_new(plat, &as), 0);
	assert_int_equal(ops->as_map(as, info->vdso_addr, PAGE, off, PROT_READ),
			 -EPERM);
	assert_int_equal(ops->as_unmap(as, info->vvar_addr, PAGE), -EPERM);
	assert_int_equal(ops->as_map(as, info->max_addr, PAGE, off, PROT_READ),
			 -EINVAL);
	assert_int_equal(
		ops->as_protect(as, info->max_addr - PAGE, 2 * PAGE, PROT_READ),
		-EINVAL);
	assert_int_equal(ops->as_map(as, 0, PAGE, off, PROT_READ), -EINVAL);
	assert_int_equal(ops->as_map(as, DATA_ADDR + 1, PAGE, off, PROT_READ),
			 -EINVAL);
	assert_int_equal(ops->as_map(as, DATA_ADDR, PAGE, off, 0x1000000),
			 -EINVAL);
	assert_int_equal(
		ops->as_map(as, info->max_addr - PAGE, PAGE, off, PROT_READ),
		0);
	ops->as_release(as);
}

/* The brief's main scenario: syscalls, a fault fixed by mapping, SIGILL. */
static void test_basic(void **unused)
{
	struct cpu_state st = {0};
	struct platform_ctx *ctx;
	struct platform_as *as;
	struct trap trap;
	uint64_t off;

	(void)unused;
	as = as_setup(NULL);
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);
	state_init(&st, guest_basic);
	st.regs.rdi = FAR_ADDR + 8;

	expect_syscall(ctx, as, &st, 39);
	assert_int_equal(st.regs.rip, gaddr(guest_basic) + 7);
	st.regs.rax = 4242;
	expect_syscall(ctx, as, &st, 1234);
	assert_int_equal(st.regs.rbx, 4242);
	assert_int_equal(st.regs.rip, gaddr(guest_basic_load));
	/* rcx and r11 are what the syscall instruction leaves there. */
	assert_int_equal(st.regs.rcx, st.regs.rip);

	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_FAULT);
	assert_int_equal(trap.signo, SIGSEGV);
	assert_int_equal(trap.code, SEGV_MAPERR);
	assert_int_equal(trap.addr, FAR_ADDR + 8);
	assert_int_equal(trap.access, TRAP_ACCESS_READ);
	assert_int_equal(trap.trapno, 14);
	assert_int_equal(trap.error_code & 0x2, 0);
	assert_int_equal(st.regs.rip, gaddr(guest_basic_load));

	off = mem_alloc(1);
	*(uint64_t *)(mem + off + 8) = 0x1122334455667788ULL;
	assert_int_equal(ops->as_map(as, FAR_ADDR, PAGE, off, PROT_READ), 0);
	expect_syscall(ctx, as, &st, 1235);
	assert_int_equal(st.regs.rsi, 0x1122334455667788ULL);

	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_SIGNAL);
	assert_int_equal(trap.signo, SIGILL);
	assert_int_equal(trap.code, ILL_ILLOPN);
	assert_int_equal(trap.addr, gaddr(guest_basic_ud2));
	assert_int_equal(st.regs.rip, gaddr(guest_basic_ud2));

	ops->ctx_release(ctx);
	ops->as_release(as);
	state_free(&st);
}

/* int3, division by zero, hlt (a #GP) and single-step. */
static void test_signals(void **unused)
{
	struct cpu_state st = {0};
	struct platform_ctx *ctx;
	struct platform_as *as;
	struct trap trap;

	(void)unused;
	as = as_setup(NULL);
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);

	state_init(&st, guest_int3);
	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_SIGNAL);
	assert_int_equal(trap.signo, SIGTRAP);
	assert_int_equal(trap.trapno, 3);
	assert_int_equal(st.regs.rip, gaddr(guest_int3_after));

	state_init(&st, guest_div);
	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_SIGNAL);
	assert_int_equal(trap.signo, SIGFPE);
	assert_int_equal(trap.code, FPE_INTDIV);
	assert_int_equal(trap.addr, gaddr(guest_div_insn));
	assert_int_equal(st.regs.rip, gaddr(guest_div_insn));

	state_init(&st, guest_hlt);
	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_SIGNAL);
	assert_int_equal(trap.signo, SIGSEGV);
	assert_int_equal(trap.code, SI_KERNEL);

	state_init(&st, guest_tf);
	st.regs.eflags |= 0x100;
	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_SIGNAL);
	assert_int_equal(trap.signo, SIGTRAP);
	assert_int_equal(trap.code, TRAP_TRACE);
	assert_int_equal(st.regs.rip, gaddr(guest_tf_after));

	/* int $0x80 is a syscall too, but of the i386 table: flagged. */
	state_init(&st, guest_int80);
	st.regs.rcx = 1;
	run(ctx, as, &st, &trap);
	if (trap.kind == TRAP_SYSCALL) {
		assert_int_equal(st.regs.orig_rax, 20);
		assert_int_equal(trap.code, PLATFORM_SYSCALL_INT80);
		expect_syscall(ctx, as, &st, 39);
	} else { /* a kernel without ia32 emulation */
		assert_int_equal(trap.kind, TRAP_SIGNAL);
		assert_int_equal(trap.signo, SIGSEGV);
	}

	ops->ctx_release(ctx);
	ops->as_release(as);
	state_free(&st);
}

/* fs_base goes in and is used by the guest. */
static void test_fs_base(void **unused)
{
	struct cpu_state st = {0};
	struct platform_ctx *ctx;
	struct platform_as *as;
	uint64_t data;

	(void)unused;
	as = as_setup(&data);
	*(uint64_t *)(mem + data + 64) = 0xfeedfacecafef00dULL;
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);
	state_init(&st, guest_fs);
	st.regs.fs_base = DATA_ADDR + 64;
	st.regs.gs_base = DATA_ADDR + 128;
	expect_syscall(ctx, as, &st, 1);
	assert_int_equal(st.regs.rdi, 0xfeedfacecafef00dULL);
	assert_int_equal(st.regs.fs_base, DATA_ADDR + 64);
	assert_int_equal(st.regs.gs_base, DATA_ADDR + 128);
	ops->ctx_release(ctx);
	ops->as_release(as);
	state_free(&st);
}

static bool have_avx(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return false;
	return (c & bit_AVX) && (c & bit_OSXSAVE) && platform_fpu_size() > 576;
}

/* XMM (and YMM) state goes in and comes back out. */
static void test_fpu(void **unused)
{
	struct cpu_state st = {0};
	struct platform_ctx *ctx;
	struct platform_as *as;
	uint8_t pattern[32];
	uint64_t data;
	int i;

	(void)unused;
	as = as_setup(&data);
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);
	for (i = 0; i < 32; i++)
		pattern[i] = (uint8_t)(0xa0 + i);
	state_init(&st, guest_xmm);
	memcpy(st.fpu + 160, pattern, 16); /* xmm0 */
	st.regs.rdi = DATA_ADDR + 256;
	expect_syscall(ctx, as, &st, 2);
	assert_memory_equal(mem + data + 256, pattern, 16);
	for (i = 0; i < 16; i++)
		assert_int_equal(st.fpu[176 + i], 0xff); /* xmm1 */
	assert_memory_equal(st.fpu + 160, pattern, 16);

	if (have_avx()) {
		unsigned int a, b, c, d;
		uint64_t bv;

		__cpuid_count(0xd, 2, a, b, c, d);
		state_init(&st, guest_avx);
		memcpy(st.fpu + 160 + 3 * 16, pattern, 16);    /* xmm3 */
		memcpy(st.fpu + b + 3 * 16, pattern + 16, 16); /* ymm3 hi */
		memcpy(&bv, st.fpu + 512, 8);
		bv |= 4;
		memcpy(st.fpu + 512, &bv, 8);
		st.regs.rdi = DATA_ADDR + 512;
		expect_syscall(ctx, as, &st, 3);
		assert_memory_equal(mem + data + 512, pattern, 32);
		for (i = 0; i < 16; i++) {
			assert_int_equal(st.fpu[160 + 32 + i], 0xff);
			assert_int_equal(st.fpu[b + 32 + i], 0xff);
		}
	}
	ops->ctx_release(ctx);
	ops->as_release(as);
	state_free(&st);
}

/* The FPU state survives a fault (the fault handler resets the stub's). */
static void test_fpu_across_fault(void **unused)
{
	struct cpu_state st = {0};
	struct platform_ctx *ctx;
	struct platform_as *as;
	uint8_t pattern[16];
	struct trap trap;
	uint64_t data;
	int i;

	(void)unused;
	as = as_setup(&data);
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);
	for (i = 0; i < 16; i++)
		pattern[i] = (uint8_t)(0x10 + i);
	state_init(&st, guest_xmm_fault);
	memcpy(st.fpu + 160, pattern, 16);
	st.regs.rdi = FAR_ADDR;
	st.regs.rsi = DATA_ADDR + 64;
	st.regs.r12 = 0xabcdef;
	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_FAULT);
	assert_int_equal(trap.addr, FAR_ADDR);
	assert_memory_equal(st.fpu + 160, pattern, 16);
	assert_int_equal(st.regs.r12, 0xabcdef);
	assert_int_equal(
		ops->as_map(as, FAR_ADDR, PAGE, mem_alloc(1), PROT_READ), 0);
	expect_syscall(ctx, as, &st, 7);
	assert_memory_equal(mem + data + 64, pattern, 16);
	assert_int_equal(st.regs.r12, 0xabcdef);
	ops->ctx_release(ctx);
	ops->as_release(as);
	state_free(&st);
}

struct spinner {
	struct platform_as *as;
	struct platform_ctx *ctx;
	int ready;
	int kinds[3];
	uint64_t rips[3];
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* A Sentry thread running a guest that spins, three times. */
static void *spinner_main(void *arg)
{
	struct spinner *s = arg;
	struct cpu_state st = {0};
	struct trap trap;
	int i;

	assert_int_equal(ops->ctx_new(plat, &s->ctx), 0);
	pthread_mutex_lock(&s->mu);
	s->ready = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	state_init(&st, guest_spin);
	for (i = 0; i < 3; i++) {
		assert_int_equal(ops->ctx_switch(s->ctx, s->as, &st, &trap), 0);
		s->kinds[i] = trap.kind;
		s->rips[i] = st.regs.rip;
	}
	ops->ctx_release(s->ctx);
	state_free(&st);
	return NULL;
}

/* ctx_interrupt from another thread stops a guest in `jmp .`. */
static void test_interrupt(void **unused)
{
	struct spinner s = {0};
	struct cpu_state st = {0};
	struct platform_ctx *ctx;
	struct trap trap;
	pthread_t th;
	int i;

	(void)unused;
	s.as = as_setup(NULL);
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	assert_int_equal(pthread_create(&th, NULL, spinner_main, &s), 0);
	pthread_mutex_lock(&s.mu);
	while (!s.ready)
		pthread_cond_wait(&s.cv, &s.mu);
	pthread_mutex_unlock(&s.mu);
	for (i = 0; i < 3; i++) {
		usleep(20000);
		ops->ctx_interrupt(s.ctx);
	}
	pthread_join(th, NULL);
	for (i = 0; i < 3; i++) {
		assert_int_equal(s.kinds[i], TRAP_INTERRUPTED);
		assert_int_equal(s.rips[i], gaddr(guest_spin));
	}

	/* Before the switch: the next switch returns at once, once. */
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);
	state_init(&st, guest_basic);
	st.regs.rdi = DATA_ADDR;
	ops->ctx_interrupt(ctx);
	run(ctx, s.as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_INTERRUPTED);
	assert_int_equal(st.regs.rip, gaddr(guest_basic));
	/* During a syscall stop: not lost. */
	expect_syscall(ctx, s.as, &st, 39);
	ops->ctx_interrupt(ctx);
	run(ctx, s.as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_INTERRUPTED);
	expect_syscall(ctx, s.as, &st, 1234);
	ops->ctx_release(ctx);
	ops->as_release(s.as);
	state_free(&st);
}

/* Two address spaces map the same guest address to different pages. */
static void test_isolation(void **unused)
{
	struct cpu_state st = {0};
	struct platform_as *as1, *as2;
	struct platform_ctx *ctx;
	uint64_t off1, off2;
	struct trap trap;

	(void)unused;
	as1 = as_setup(NULL);
	as2 = as_setup(NULL);
	off1 = mem_alloc(1);
	off2 = mem_alloc(1);
	*(uint64_t *)(mem + off1) = 111;
	*(uint64_t *)(mem + off2) = 222;
	assert_int_equal(ops->as_map(as1, FAR_ADDR, PAGE, off1, PROT_READ), 0);
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);

	state_init(&st, guest_load);
	st.regs.rdi = FAR_ADDR;
	expect_syscall(ctx, as1, &st, 5);
	assert_int_equal(st.regs.rsi, 111);

	state_init(&st, guest_load);
	st.regs.rdi = FAR_ADDR;
	run(ctx, as2, &st, &trap);
	assert_int_equal(trap.kind, TRAP_FAULT);
	assert_int_equal(trap.addr, FAR_ADDR);
	assert_int_equal(ops->as_map(as2, FAR_ADDR, PAGE, off2, PROT_READ), 0);
	expect_syscall(ctx, as2, &st, 5);
	assert_int_equal(st.regs.rsi, 222);

	state_init(&st, guest_load);
	st.regs.rdi = FAR_ADDR;
	expect_syscall(ctx, as1, &st, 5);
	assert_int_equal(st.regs.rsi, 111);

	ops->ctx_release(ctx);
	ops->as_release(as1);
	ops->as_release(as2);
	state_free(&st);
}

struct looper {
	struct platform_as *as;
	int n, syscalls, rc;
};

/* A Sentry thread with its own ctx running guest_loop in a shared as. */
static void *looper_main(void *arg)
{
	struct looper *l = arg;
	struct cpu_state st = {0};
	struct platform_ctx *ctx;
	struct trap trap;

	l->rc = ops->ctx_new(plat, &ctx);
	if (l->rc)
		return NULL;
	state_init(&st, guest_loop);
	st.regs.rbx = l->n;
	for (;;) {
		l->rc = ops->ctx_switch(ctx, l->as, &st, &trap);
		if (l->rc || trap.kind != TRAP_SYSCALL) {
			l->rc = l->rc ? l->rc : -1000 - (int)trap.kind;
			break;
		}
		if (st.regs.orig_rax == 60)
			break;
		if (st.regs.orig_rax != 39) {
			l->rc = -2000;
			break;
		}
		l->syscalls++;
		st.regs.rax = 0;
	}
	ops->ctx_release(ctx);
	state_free(&st);
	return NULL;
}

/* Two Sentry threads run guests in one as while a third remaps memory. */
static void test_threads(void **unused)
{
	struct looper l[2] = {{0}, {0}};
	struct platform_as *as;
	pthread_t th[2];
	uint64_t off = mem_alloc(4);
	int i;

	(void)unused;
	as = as_setup(NULL);
	for (i = 0; i < 2; i++) {
		l[i].as = as;
		l[i].n = 2000;
		assert_int_equal(
			pthread_create(&th[i], NULL, looper_main, &l[i]), 0);
	}
	for (i = 0; i < 200; i++) {
		assert_int_equal(ops->as_map(as, FAR_ADDR, 4 * PAGE, off,
					     PROT_READ | PROT_WRITE),
				 0);
		assert_int_equal(ops->as_protect(as, FAR_ADDR, PAGE, PROT_READ),
				 0);
		assert_int_equal(ops->as_unmap(as, FAR_ADDR, 4 * PAGE), 0);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(l[i].rc, 0);
		assert_int_equal(l[i].syscalls, 2000);
	}
	/* The loopers released their stub threads: the leader, t0 and ours
	 * remain. */
	assert_int_equal(count_tasks(platform_ptrace_as_pid(as)), 3);
	ops->as_release(as);
}

/* as_protect: a write to a page made read-only faults as a write; an
 * instruction fetch from a non-executable page faults as an exec. */
static void test_protect(void **unused)
{
	struct cpu_state st = {0};
	struct platform_ctx *ctx;
	struct platform_as *as;
	struct trap trap;
	uint64_t off = mem_alloc(1);

	(void)unused;
	as = as_setup(NULL);
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);
	assert_int_equal(
		ops->as_map(as, FAR_ADDR, PAGE, off, PROT_READ | PROT_WRITE),
		0);
	state_init(&st, guest_store);
	st.regs.rdi = FAR_ADDR + 16;
	expect_syscall(ctx, as, &st, 4);
	assert_int_equal(*(uint64_t *)(mem + off + 16), 0x1234);

	*(uint64_t *)(mem + off + 16) = 0;
	assert_int_equal(ops->as_protect(as, FAR_ADDR, PAGE, PROT_READ), 0);
	state_init(&st, guest_store);
	st.regs.rdi = FAR_ADDR + 16;
	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_FAULT);
	assert_int_equal(trap.signo, SIGSEGV);
	assert_int_equal(trap.code, SEGV_ACCERR);
	assert_int_equal(trap.addr, FAR_ADDR + 16);
	assert_int_equal(trap.access, TRAP_ACCESS_WRITE);
	assert_int_equal(trap.error_code & 0x7, 0x7);
	assert_int_equal(*(uint64_t *)(mem + off + 16), 0);
	assert_int_equal(
		ops->as_protect(as, FAR_ADDR, PAGE, PROT_READ | PROT_WRITE), 0);
	expect_syscall(ctx, as, &st, 4);
	assert_int_equal(*(uint64_t *)(mem + off + 16), 0x1234);

	/* PROT_NONE: a read faults as a read. */
	assert_int_equal(ops->as_protect(as, FAR_ADDR, PAGE, PROT_NONE), 0);
	state_init(&st, guest_load);
	st.regs.rdi = FAR_ADDR + 8;
	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_FAULT);
	assert_int_equal(trap.code, SEGV_ACCERR);
	assert_int_equal(trap.access, TRAP_ACCESS_READ);

	/* Jumping to a readable but non-executable page. */
	assert_int_equal(ops->as_protect(as, FAR_ADDR, PAGE, PROT_READ), 0);
	state_init(&st, guest_call);
	st.regs.rdi = FAR_ADDR + 32;
	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_FAULT);
	assert_int_equal(trap.addr, FAR_ADDR + 32);
	assert_int_equal(trap.access, TRAP_ACCESS_EXEC);
	assert_int_equal(st.regs.rip, FAR_ADDR + 32);

	ops->ctx_release(ctx);
	ops->as_release(as);
	state_free(&st);
}

/* as_unmap takes a page away. */
static void test_unmap(void **unused)
{
	struct cpu_state st = {0};
	struct platform_ctx *ctx;
	struct platform_as *as;
	struct trap trap;
	uint64_t off = mem_alloc(2);

	(void)unused;
	as = as_setup(NULL);
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);
	*(uint64_t *)(mem + off + PAGE) = 77;
	assert_int_equal(ops->as_map(as, FAR_ADDR, 2 * PAGE, off, PROT_READ),
			 0);
	state_init(&st, guest_load);
	st.regs.rdi = FAR_ADDR + PAGE;
	expect_syscall(ctx, as, &st, 5);
	assert_int_equal(st.regs.rsi, 77);

	assert_int_equal(ops->as_unmap(as, FAR_ADDR + PAGE, PAGE), 0);
	state_init(&st, guest_load);
	st.regs.rdi = FAR_ADDR + PAGE;
	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_FAULT);
	assert_int_equal(trap.code, SEGV_MAPERR);
	assert_int_equal(trap.addr, FAR_ADDR + PAGE);
	ops->ctx_release(ctx);
	ops->as_release(as);
	state_free(&st);
}

/* A mapping past the end of the memory file: SIGBUS, as a fault. */
static void test_sigbus(void **unused)
{
	struct cpu_state st = {0};
	struct platform_ctx *ctx;
	struct platform_as *as;
	struct trap trap;

	(void)unused;
	as = as_setup(NULL);
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);
	assert_int_equal(ops->as_map(as, FAR_ADDR, PAGE, MEM_SIZE + PAGE,
				     PROT_READ | PROT_WRITE),
			 0);
	state_init(&st, guest_store);
	st.regs.rdi = FAR_ADDR + 24;
	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_FAULT);
	assert_int_equal(trap.signo, SIGBUS);
	assert_int_equal(trap.code, BUS_ADRERR);
	assert_int_equal(trap.addr, FAR_ADDR + 24);
	assert_int_equal(trap.access, TRAP_ACCESS_WRITE);
	assert_int_equal(st.regs.rip, gaddr(guest_store));
	ops->ctx_release(ctx);
	ops->as_release(as);
	state_free(&st);
}

/* as_release kills the stub and leaves no process or zombie behind. */
static void test_release(void **unused)
{
	struct platform_as *as[3];
	struct platform_ctx *ctx;
	int before, after, zombies, i;
	struct cpu_state st = {0};

	(void)unused;
	before = count_children(&zombies);
	assert_int_equal(zombies, 0);
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);
	for (i = 0; i < 3; i++) {
		as[i] = as_setup(NULL);
		state_init(&st, guest_basic);
		expect_syscall(ctx, as[i], &st, 39);
	}
	assert_int_equal(count_children(&zombies), before + 3);
	for (i = 0; i < 3; i++) {
		pid_t pid = platform_ptrace_as_pid(as[i]);

		ops->as_release(as[i]);
		assert_int_equal(kill(pid, 0), -1);
	}
	after = count_children(&zombies);
	assert_int_equal(after, before);
	assert_int_equal(zombies, 0);
	ops->ctx_release(ctx);
	state_free(&st);
}

/* A guest's syscalls never run on the host. */
static void test_escape(void **unused)
{
	struct cpu_state st = {0};
	struct platform_ctx *ctx;
	struct platform_as *as;
	struct stat sb;

	(void)unused;
	rmdir(ESCAPE_PATH);
	as = as_setup(NULL);
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);
	state_init(&st, guest_escape);
	expect_syscall(ctx, as, &st, 83);
	st.regs.rax = 0;
	expect_syscall(ctx, as, &st, 231);
	expect_syscall(ctx, as, &st, 62);
	expect_syscall(ctx, as, &st, 39);
	assert_int_equal(stat(ESCAPE_PATH, &sb), -1);
	assert_int_equal(kill(platform_ptrace_as_pid(as), 0), 0);
	ops->ctx_release(ctx);
	ops->as_release(as);
	state_free(&st);
}

/* Garbage in every register the guest controls: traps, never a crash. */
static void test_robust_regs(void **unused)
{
	struct cpu_state st = {0};
	struct platform_ctx *ctx;
	struct platform_as *as;
	struct trap trap;

	(void)unused;
	as = as_setup(NULL);
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);

	/* Non-canonical rip. */
	state_init(&st, guest_basic);
	st.regs.rip = 0x8000000000000000ULL;
	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_SIGNAL);
	assert_int_equal(trap.signo, SIGSEGV);

	/* rip at an unmapped page: an instruction fetch fault. */
	state_init(&st, guest_basic);
	st.regs.rip = 0x10000;
	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_FAULT);
	assert_int_equal(trap.addr, 0x10000);
	assert_int_equal(trap.access, TRAP_ACCESS_EXEC);

	/* rsp in the void. */
	state_init(&st, guest_push);
	st.regs.rsp = 0xdead0000;
	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_FAULT);
	assert_int_equal(trap.addr, 0xdead0000 - 8);
	assert_int_equal(trap.access, TRAP_ACCESS_WRITE);

	/* Non-canonical rsp. */
	state_init(&st, guest_push);
	st.regs.rsp = 0x8000000000000000ULL;
	run(ctx, as, &st, &trap);
	assert_true(trap.kind == TRAP_SIGNAL);

	/* A kernel fs_base is refused: SIGSEGV, state untouched. */
	state_init(&st, guest_fs);
	st.regs.fs_base = 0xffff880000000000ULL;
	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_SIGNAL);
	assert_int_equal(trap.signo, SIGSEGV);
	assert_int_equal(st.regs.rip, gaddr(guest_fs));
	st.regs.fs_base = DATA_ADDR;
	expect_syscall(ctx, as, &st, 1);

	/* 32-bit and kernel selectors are ignored: still 64-bit mode. */
	state_init(&st, guest_64);
	st.regs.cs = 0x23;
	st.regs.ss = 0;
	st.regs.ds = 0x10;
	st.regs.fs = 0x63;
	expect_syscall(ctx, as, &st, 6);
	assert_int_equal(st.regs.rdi, 0x123456789aULL);
	assert_int_equal(st.regs.cs, 0x33);

	ops->ctx_release(ctx);
	ops->as_release(as);
	state_free(&st);
}

/* A bad FPU state or a jump into the stub code: traps, never a crash. */
static void test_robust_state(void **unused)
{
	const struct platform_info *info = &plat->info;
	struct cpu_state st = {0};
	struct platform_ctx *ctx;
	struct platform_as *as;
	struct trap trap;
	uint32_t mxcsr;

	(void)unused;
	as = as_setup(NULL);
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);

	/* Reserved MXCSR bits are refused: SIGSEGV. */
	state_init(&st, guest_basic);
	mxcsr = 0xffffffff;
	memcpy(st.fpu + 24, &mxcsr, 4);
	run(ctx, as, &st, &trap);
	assert_int_equal(trap.kind, TRAP_SIGNAL);
	assert_int_equal(trap.signo, SIGSEGV);
	platform_fpu_init(&st);
	expect_syscall(ctx, as, &st, 39);

	/* Jumping into the stub code stays trapped. */
	state_init(&st, guest_basic);
	st.regs.rip = info->max_addr; /* the stub code page */
	st.regs.rax = 39;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(ops->ctx_switch(ctx, as, &st, &trap), 0);
		if (trap.kind != TRAP_SYSCALL)
			break;
		st.regs.rax = -38;
	}
	/* The stub still works. */
	assert_int_equal(
		ops->as_map(as, FAR_ADDR, PAGE, mem_alloc(1), PROT_READ), 0);
	state_init(&st, guest_basic);
	expect_syscall(ctx, as, &st, 39);

	ops->ctx_release(ctx);
	ops->as_release(as);
	state_free(&st);
}

struct mapper {
	struct platform_as *as;
	int rc;
};

/* A Sentry thread that maps memory into an as, then exits. */
static void *mapper_main(void *arg)
{
	struct mapper *m = arg;

	m->rc = ops->as_map(m->as, FAR_ADDR, PAGE, mem_alloc(1), PROT_READ);
	return NULL;
}

/* A stub killed behind our back (say by the OOM killer): -ESRCH, no hang. */
static void test_killed(void **unused)
{
	struct cpu_state st = {0};
	struct platform_ctx *ctx;
	struct platform_as *as;
	struct trap trap;
	int before, zombies;

	(void)unused;
	before = count_children(&zombies);
	as = as_setup(NULL);
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);
	state_init(&st, guest_basic);
	expect_syscall(ctx, as, &st, 39);
	kill(platform_ptrace_as_pid(as), SIGKILL);
	/* Another thread's first use of the dead as, while our own dead
	 * stub thread is not reaped yet: an error, and the creator thread
	 * must not hang on it (new address spaces still work). */
	{
		struct mapper m = {.as = as};
		struct platform_as *other;
		pthread_t th;

		usleep(10000);
		assert_int_equal(pthread_create(&th, NULL, mapper_main, &m), 0);
		pthread_join(th, NULL);
		assert_true(m.rc == -ESRCH || m.rc == -EFAULT);
		assert_int_equal(ops->as_new(plat, &other), 0);
		ops->as_release(other);
	}
	assert_int_equal(ops->ctx_switch(ctx, as, &st, &trap), -ESRCH);
	assert_int_equal(ops->ctx_switch(ctx, as, &st, &trap), -ESRCH);
	assert_int_equal(
		ops->as_map(as, FAR_ADDR, PAGE, mem_alloc(1), PROT_READ),
		-ESRCH);
	ops->as_release(as);
	assert_int_equal(count_children(&zombies), before);
	assert_int_equal(zombies, 0);

	/* And while the guest runs. */
	as = as_setup(NULL);
	state_init(&st, guest_spin);
	{
		pid_t pid = platform_ptrace_as_pid(as), child;

		child = fork();
		assert_true(child >= 0);
		if (child == 0) {
			usleep(30000);
			kill(pid, SIGKILL);
			_exit(0);
		}
		assert_int_equal(ops->ctx_switch(ctx, as, &st, &trap), -ESRCH);
		waitpid(child, NULL, 0);
	}
	ops->as_release(as);
	assert_int_equal(count_children(&zombies), before);
	assert_int_equal(zombies, 0);
	ops->ctx_release(ctx);
	state_free(&st);
}

/* A thread that only maps (no ctx) and exits leaves no stub thread, and
 * does not take the address space down with it. */
static void test_thread_exit(void **unused)
{
	struct cpu_state st = {0};
	struct platform_ctx *ctx;
	struct platform_as *as;
	struct mapper m = {0};
	pthread_t th;
	pid_t pid;

	(void)unused;
	as = as_setup(NULL); /* our own stub thread exists now */
	pid = platform_ptrace_as_pid(as);
	assert_int_equal(count_tasks(pid), 3); /* leader, t0, ours */
	m.as = as;
	assert_int_equal(pthread_create(&th, NULL, mapper_main, &m), 0);
	pthread_join(th, NULL);
	assert_int_equal(m.rc, 0);
	assert_int_equal(count_tasks(pid), 3);
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);
	state_init(&st, guest_load);
	st.regs.rdi = FAR_ADDR;
	expect_syscall(ctx, as, &st, 5);
	ops->ctx_release(ctx);
	ops->as_release(as);
	state_free(&st);
}

/* The cost of one syscall round trip (CVISOR_BENCH_N, default 20000). */
static void test_bench(void **unused)
{
	const char *env = getenv("CVISOR_BENCH_N");
	long n = env ? atol(env) : 20000, i;
	struct cpu_state st = {0};
	struct platform_ctx *ctx;
	struct platform_as *as;
	struct trap trap;
	uint64_t t0, t1;

	(void)unused;
	as = as_setup(NULL);
	assert_int_equal(ops->ctx_new(plat, &ctx), 0);
	state_init(&st, guest_bench);
	expect_syscall(ctx, as, &st, 39);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		st.regs.rax = 1;
		ops->ctx_switch(ctx, as, &st, &trap);
	}
	t1 = now_ns();
	assert_int_equal(trap.kind, TRAP_SYSCALL);
	assert_int_equal(st.regs.orig_rax, 39);
	printf("# ptrace round trip: %ld syscalls, %.0f ns each\n", n,
	       (double)(t1 - t0) / (double)n);
	ops->ctx_release(ctx);
	ops->as_release(as);

	/* An address space's life: as_new, a stub thread (first switch),
	 * one mapping, as_release. */
	t0 = now_ns();
	for (i = 0; i < 50; i++) {
		as = as_setup(NULL);
		assert_int_equal(ops->ctx_new(plat, &ctx), 0);
		state_init(&st, guest_bench);
		expect_syscall(ctx, as, &st, 39);
		ops->ctx_release(ctx);
		ops->as_release(as);
	}
	t1 = now_ns();
	printf("# address space life cycle: %.0f us\n",
	       (double)(t1 - t0) / 50 / 1000);
	state_free(&st);
}

#define ALLOW(nr)                                                              \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                       \
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/* The strictest stub filter: exactly the syscalls stub.h lists, anything
 * else kills the stub. Every test runs under it, so the list is checked. */
static struct sock_filter stub_filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		 offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	ALLOW(__NR_munmap),
	ALLOW(__NR_mmap),
	ALLOW(__NR_mprotect),
	ALLOW(__NR_clone),
	ALLOW(__NR_pause),
	ALLOW(__NR_rt_sigprocmask),
	ALLOW(__NR_sigaltstack),
	ALLOW(__NR_exit),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
};

/* The platform_stub_install_filter hook, run in the master stub. */
static int install_stub_filter(void)
{
	struct sock_fprog prog = {
		.len = sizeof(stub_filter) / sizeof(stub_filter[0]),
		.filter = stub_filter,
	};

	if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return -1;
	return 0;
}

/* The memory file, the test's view of it, and the guest code in it. */
static int setup_memory(void)
{
	memfd = memfd_create("cvisor-test-mem", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, MEM_SIZE) < 0)
		return -1;
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
		   0);
	if (mem == MAP_FAILED)
		return -1;
	code_off = 0;
	mem_next = code_pages() * PAGE;
	memcpy(mem, guest_start, (size_t)(guest_end - guest_start));
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_stub_process),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_fs_base),
		cmocka_unit_test(test_fpu),
		cmocka_unit_test(test_fpu_across_fault),
		cmocka_unit_test(test_interrupt),
		cmocka_unit_test(test_isolation),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_protect),
		cmocka_unit_test(test_unmap),
		cmocka_unit_test(test_sigbus),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_robust_regs),
		cmocka_unit_test(test_robust_state),
		cmocka_unit_test(test_killed),
		cmocka_unit_test(test_thread_exit),
		cmocka_unit_test(test_bench),
	};
	int rc;

	if (setup_memory() < 0) {
		perror("memory file");
		return 1;
	}
	platform_stub_install_filter = install_stub_filter;
	rc = platform_ptrace_new(memfd, &plat);
	if (rc == -EPERM || rc == -ENOSYS) {
		/* e.g. Yama ptrace_scope 3, or a seccomp profile without
		 * ptrace */
		printf("# skipped: the ptrace platform cannot start here "
		       "(%s)\n",
		       strerror(-rc));
		return 77;
	}
	if (rc < 0) {
		printf("platform_ptrace_new: %s\n", strerror(-rc));
		return 1;
	}
	ops = plat->ops;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
