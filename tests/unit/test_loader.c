/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_loader: the ELF loader and the initial stack, with ELF files the
 * test writes itself (so every header field can be made wrong) and,
 * where the host has one, a real static binary; and the "#!" parser
 * against a table of Linux's answers.
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
#include "sentry/abi/elf.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"

#define PG 4096ULL

/* ---- host files as loader_files ---- */

struct hostfile {
	int fd;
	char path[256];
	struct loader_file lf;
};

static long hf_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct hostfile *h = ctx;
	ssize_t n = pread(h->fd, buf, len, (off_t)off);

	return n < 0 ? -errno : n;
}

/* The page cache of a host file owns a descriptor of its own: it lives
 * as long as some mapping does, like a vfs inode's. */
static long hf_fill(struct mappable *m, uint64_t off, void *dst, size_t len)
{
	int *fd = mappable_priv(m);
	ssize_t n = pread(*fd, dst, len, (off_t)off);

	return n < 0 ? -errno : n;
}

static uint64_t hf_size(struct mappable *m)
{
	int *fd = mappable_priv(m);
	struct stat st;

	return fstat(*fd, &st) ? 0 : (uint64_t)st.st_size;
}

static void hf_release(struct mappable *m)
{
	int *fd = mappable_priv(m);

	close(*fd);
	free(fd);
}

static const struct mappable_ops hf_ops = {
	.fill = hf_fill,
	.size = hf_size,
	.release = hf_release,
};

static struct mappable *hf_mappable(void *ctx)
{
	struct hostfile *h = ctx;
	int *fd = malloc(sizeof(*fd));

	*fd = dup(h->fd);
	return mappable_new(&hf_ops, fd);
}

static struct hostfile *hf_open(const char *path)
{
	struct hostfile *h = calloc(1, sizeof(*h));

	h->fd = open(path, O_RDONLY);
	if (h->fd < 0) {
		free(h);
		return NULL;
	}
	snprintf(h->path, sizeof(h->path), "%s", path);
	h->lf = (struct loader_file){
		.pread = hf_pread,
		.mappable = hf_mappable,
		.dev = 0x801,
		.ino = 1234,
		.path = h->path,
		.ctx = h,
	};
	return h;
}

static void hf_close(struct hostfile *h)
{
	if (h) {
		close(h->fd);
		free(h);
	}
}

/* The interpreter callbacks: names are host paths. */
static int opened, released;

static int open_interp(void *ctx, const char *path, struct loader_file *out)
{
	struct hostfile *h = hf_open(path);

	(void)ctx;
	if (!h)
		return -ENOENT;
	opened++;
	*out = h->lf;
	return 0;
}

static void release(void *ctx, struct loader_file *f)
{
	(void)ctx;
	released++;
	hf_close(f->ctx);
}

static int fixed_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0xa5, len);
	return 0;
}

/* ---- ELF files written by the test ---- */

/* exit(7) via syscall: mov $60,%eax; mov $7,%edi; syscall */
static const uint8_t code[] = {0xb8, 0x3c, 0, 0, 0,    0xbf,
			       7,    0,	   0, 0, 0x0f, 0x05};

struct elf_opts {
	uint16_t type;	    /* ET_EXEC or ET_DYN */
	uint64_t base;	    /* vaddr of the first segment */
	const char *interp; /* PT_INTERP, or NULL */
	uint64_t bss;	    /* extra memsz of the data segment */
	bool exec_stack;
	void (*tweak)(struct linux_elf64_ehdr *, struct linux_elf64_phdr *);
};

static char tmpdir[] = "/tmp/test_loader.XXXXXX";

/*
 * A file: ELF header, program headers at 64, code at 0x1000 in a R-X
 * segment (which also covers the headers, as linkers do), data at
 * 0x2000 in a RW- segment with optional bss.
 */
static void write_elf(const char *path, const struct elf_opts *o)
{
	uint8_t file[0x3000] = {0};
	struct linux_elf64_ehdr *eh = (void *)file;
	struct linux_elf64_phdr *ph = (void *)(file + 64);
	int n = 0, fd;

	memcpy(eh->e_ident, LINUX_ELFMAG, 4);
	eh->e_ident[LINUX_EI_CLASS] = LINUX_ELFCLASS64;
	eh->e_ident[LINUX_EI_DATA] = LINUX_ELFDATA2LSB;
	eh->e_ident[LINUX_EI_VERSION] = 1;
	eh->e_type = o->type;
	eh->e_machine = LINUX_EM_X86_64;
	eh->e_version = 1;
	eh->e_entry = o->base + 0x1000;
	eh->e_phoff = 64;
	eh->e_ehsize = 64;
	eh->e_phentsize = sizeof(*ph);
	if (o->interp) {
		ph[n] = (struct linux_elf64_phdr){
			.p_type = LINUX_PT_INTERP,
			.p_flags = LINUX_PF_R,
			.p_offset = 0x800,
			.p_vaddr = o->base + 0x800,
			.p_filesz = strlen(o->interp) + 1,
			.p_memsz = strlen(o->interp) + 1,
			.p_align = 1};
		strcpy((char *)file + 0x800, o->interp);
		n++;
	}
	ph[n++] = (struct linux_elf64_phdr){.p_type = LINUX_PT_LOAD,
					    .p_flags = LINUX_PF_R | LINUX_PF_X,
					    .p_offset = 0,
					    .p_vaddr = o->base,
					    .p_paddr = o->base,
					    .p_filesz = 0x1000 + sizeof(code),
					    .p_memsz = 0x1000 + sizeof(code),
					    .p_align = PG};
	ph[n++] = (struct linux_elf64_phdr){.p_type = LINUX_PT_LOAD,
					    .p_flags = LINUX_PF_R | LINUX_PF_W,
					    .p_offset = 0x2000,
					    .p_vaddr = o->base + 0x2000,
					    .p_filesz = 0x100,
					    .p_memsz = 0x100 + o->bss,
					    .p_align = PG};
	ph[n++] = (struct linux_elf64_phdr){
		.p_type = LINUX_PT_GNU_STACK,
		.p_flags = LINUX_PF_R | LINUX_PF_W |
			   (o->exec_stack ? LINUX_PF_X : 0)};
	eh->e_phnum = (uint16_t)n;
	memcpy(file + 0x1000, code, sizeof(code));
	memset(file + 0x2000, 0xdd, 0x1000); /* bytes past filesz: not bss */
	if (o->tweak)
		o->tweak(eh, ph);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, file, sizeof(file)), (ssize_t)sizeof(file));
	close(fd);
}

static struct memfile *mf;

static int setup(void **state)
{
	(void)state;
	if (!mf && memfile_new(0, &mf))
		return -1;
	mm_init(mf, NULL);
	if (!mkdtemp(tmpdir))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *const argv3[] = {"prog", "one", "two"};
static const char *const envp2[] = {"A=1", "HOME=/root"};

static struct loader_args args(void)
{
	return (struct loader_args){
		.argv = (char *const *)argv3,
		.argc = 3,
		.envp = (char *const *)envp2,
		.envc = 2,
		.execfn = "/bin/prog",
		.uid = 1,
		.euid = 2,
		.gid = 3,
		.egid = 4,
		.stack_limit = 8 << 20,
		.open_interp = open_interp,
		.release = release,
		.random = fixed_random,
	};
}

/* Load path into a fresh mm. */
static int load(const char *path, const struct loader_args *a, struct mm **mmp,
		struct loader_result *res)
{
	struct hostfile *h = hf_open(path);
	int err;

	assert_non_null(h);
	assert_int_equal(mm_new(mmp), 0);
	err = loader_exec(*mmp, &h->lf, a, res);
	hf_close(h);
	return err;
}

static uint64_t rd64(struct mm *mm, uint64_t a)
{
	uint64_t v = 0;

	assert_int_equal(mm_copy_in(mm, a, &v, 8), 0);
	return v;
}

static void rdstr(struct mm *mm, uint64_t a, char *buf, size_t n)
{
	assert_true(mm_copy_string_in(mm, a, buf, n) >= 0);
}

/* The auxv value of `type` from the stack, or ~0. */
static uint64_t auxval(struct mm *mm, uint64_t sp, uint64_t type)
{
	uint64_t p = sp + 8 + 8 * (rd64(mm, sp) + 1);

	while (rd64(mm, p))
		p += 8;
	for (p += 8; rd64(mm, p) != LINUX_AT_NULL; p += 16)
		if (rd64(mm, p) == type)
			return rd64(mm, p + 8);
	return ~0ULL;
}

static void test_static_exec(void **state)
{
	struct elf_opts o = {
		.type = LINUX_ET_EXEC, .base = 0x400000, .bss = 0x3000};
	struct loader_args a = args();
	struct loader_result res;
	struct mm *mm;
	char path[300], s[64];
	uint64_t sp, v;
	uint8_t b[16];

	(void)state;
	snprintf(path, sizeof(path), "%s/static", tmpdir);
	write_elf(path, &o);
	assert_int_equal(load(path, &a, &mm, &res), 0);
	assert_int_equal(res.entry, 0x401000);
	assert_int_equal(res.load_bias, 0);
	assert_int_equal(res.interp_base, 0);
	sp = res.sp;
	assert_int_equal(sp % 16, 0);
	/* argc, argv, envp. */
	assert_int_equal(rd64(mm, sp), 3);
	rdstr(mm, rd64(mm, sp + 8), s, sizeof(s));
	assert_string_equal(s, "prog");
	rdstr(mm, rd64(mm, sp + 24), s, sizeof(s));
	assert_string_equal(s, "two");
	assert_int_equal(rd64(mm, sp + 32), 0);
	rdstr(mm, rd64(mm, sp + 40), s, sizeof(s));
	assert_string_equal(s, "A=1");
	rdstr(mm, rd64(mm, sp + 48), s, sizeof(s));
	assert_string_equal(s, "HOME=/root");
	assert_int_equal(rd64(mm, sp + 56), 0);
	/* Strings are contiguous, argv[0] lowest, execfn on top. */
	assert_int_equal(rd64(mm, sp + 16), rd64(mm, sp + 8) + 5);
	assert_int_equal(rd64(mm, sp + 40), rd64(mm, sp + 24) + 4);
	/* auxv. */
	assert_int_equal(auxval(mm, sp, LINUX_AT_PHDR), 0x400000 + 64);
	assert_int_equal(auxval(mm, sp, LINUX_AT_PHENT), 56);
	assert_int_equal(auxval(mm, sp, LINUX_AT_PHNUM), 3);
	assert_int_equal(auxval(mm, sp, LINUX_AT_PAGESZ), 4096);
	assert_int_equal(auxval(mm, sp, LINUX_AT_CLKTCK), 100);
	assert_int_equal(auxval(mm, sp, LINUX_AT_ENTRY), 0x401000);
	assert_int_equal(auxval(mm, sp, LINUX_AT_BASE), 0);
	assert_int_equal(auxval(mm, sp, LINUX_AT_UID), 1);
	assert_int_equal(auxval(mm, sp, LINUX_AT_EUID), 2);
	assert_int_equal(auxval(mm, sp, LINUX_AT_GID), 3);
	assert_int_equal(auxval(mm, sp, LINUX_AT_EGID), 4);
	assert_int_equal(auxval(mm, sp, LINUX_AT_SECURE), 0);
	assert_int_equal(auxval(mm, sp, LINUX_AT_SYSINFO_EHDR), ~0ULL);
	assert_true(auxval(mm, sp, LINUX_AT_MINSIGSTKSZ) >= 1024);
	v = auxval(mm, sp, LINUX_AT_EXECFN);
	rdstr(mm, v, s, sizeof(s));
	assert_string_equal(s, "/bin/prog");
	assert_int_equal(v + strlen("/bin/prog") + 1 + 8, mm_max_addr());
	rdstr(mm, auxval(mm, sp, LINUX_AT_PLATFORM), s, sizeof(s));
	assert_string_equal(s, "x86_64");
	assert_int_equal(mm_copy_in(mm, auxval(mm, sp, LINUX_AT_RANDOM), b, 16),
			 0);
	assert_int_equal(b[0], 0xa5);
	assert_int_equal(b[15], 0xa5);
	/* The layout /proc shows. */
	{
		struct mm_layout *l = mm_layout(mm);

		assert_int_equal(l->start_stack, sp);
		assert_int_equal(l->arg_start, rd64(mm, sp + 8));
		assert_int_equal(l->arg_end, rd64(mm, sp + 40));
		assert_int_equal(l->env_end, v);
		assert_int_equal(l->start_code, 0x400000);
		assert_int_equal(l->end_code, 0x401000 + sizeof(code));
		assert_int_equal(l->start_data, 0x402000);
		assert_int_equal(l->end_data, 0x402100);
		assert_int_equal(l->start_brk, 0x406000);
		assert_int_equal(l->brk, 0x406000);
		assert_int_equal(l->auxv[l->auxv_len - 2], LINUX_AT_NULL);
	}
	/* Segments: code readable, data's tail zeroed up to the page end,
	 * bss anonymous and zero, nothing writable that should not be. */
	assert_int_equal(mm_copy_in(mm, 0x401000, b, sizeof(code)), 0);
	assert_memory_equal(b, code, sizeof(code));
	assert_int_equal(mm_copy_in(mm, 0x4020ff, b, 2), 0);
	assert_int_equal(b[0], 0xdd);
	assert_int_equal(b[1], 0);
	assert_int_equal(mm_copy_in(mm, 0x405ff0, b, 16), 0);
	assert_int_equal(b[0], 0);
	assert_int_equal(mm_copy_out(mm, 0x401000, b, 1), -EFAULT);
	assert_int_equal(mm_copy_out(mm, 0x405000, b, 1), 0);
	/* The stack: 132 KiB for small arguments, at the top. */
	{
		char *text, line[200];
		size_t len;

		assert_int_equal(mm_maps_text(mm, &text, &len), 0);
		snprintf(line, sizeof(line),
			 "%08llx-%08llx rw-p 00000000 00:00 0",
			 (unsigned long long)(mm_max_addr() - 33 * PG),
			 (unsigned long long)mm_max_addr());
		assert_non_null(strstr(text, line));
		assert_non_null(strstr(text, "[stack]\n"));
		assert_non_null(strstr(
			text, "00400000-00402000 r-xp 00000000 08:01 1234"));
		assert_non_null(strstr(
			text, "00402000-00403000 rw-p 00002000 08:01 1234"));
		assert_non_null(strstr(
			text, "00403000-00406000 rw-p 00000000 00:00 0"));
		free(text);
	}
	mm_put(mm);
}

static void test_pie_interp(void **state)
{
	struct elf_opts io = {.type = LINUX_ET_DYN, .base = 0};
	struct elf_opts po = {.type = LINUX_ET_DYN, .base = 0};
	struct loader_args a = args();
	struct loader_result res;
	char prog[300], interp[300];
	struct mm *mm;

	(void)state;
	snprintf(interp, sizeof(interp), "%s/ld.so", tmpdir);
	snprintf(prog, sizeof(prog), "%s/pie", tmpdir);
	write_elf(interp, &io);
	po.interp = interp;
	write_elf(prog, &po);
	opened = released = 0;
	assert_int_equal(load(prog, &a, &mm, &res), 0);
	assert_int_equal(opened, 1);
	assert_int_equal(released, 1);
	/* The program at ELF_ET_DYN_BASE, the interpreter top-down below
	 * mmap_base, starting first. */
	assert_int_equal(res.load_bias, 0x555555554000ULL);
	assert_int_equal(res.interp_base, mm_layout(mm)->mmap_base - 0x3000);
	assert_int_equal(res.entry, res.interp_base + 0x1000);
	assert_int_equal(auxval(mm, res.sp, LINUX_AT_BASE), res.interp_base);
	assert_int_equal(auxval(mm, res.sp, LINUX_AT_ENTRY), 0x555555555000ULL);
	assert_int_equal(auxval(mm, res.sp, LINUX_AT_PHDR), 0x555555554040ULL);
	assert_int_equal(auxval(mm, res.sp, LINUX_AT_PHNUM), 4);
	assert_int_equal(mm_layout(mm)->start_brk, 0x555555557000ULL);
	mm_put(mm);

	/* Run as a program itself (static PIE / "ld.so prog"): top-down. */
	assert_int_equal(load(interp, &a, &mm, &res), 0);
	assert_int_equal(res.load_bias, mm_layout(mm)->mmap_base - 0x3000);
	assert_int_equal(res.interp_base, 0);
	mm_put(mm);
}

static void test_stack_layout(void **state)
{
	struct elf_opts o = {
		.type = LINUX_ET_EXEC, .base = 0x400000, .exec_stack = true};
	struct loader_args a = args();
	static const char *const noargs[1];
	struct loader_result res;
	char path[300], s[8];
	struct mm *mm;

	(void)state;
	snprintf(path, sizeof(path), "%s/exstack", tmpdir);
	write_elf(path, &o);
	/* argc 0: Linux adds an empty argv[0]. */
	a.argv = (char *const *)noargs;
	a.argc = 0;
	a.envc = 0;
	assert_int_equal(load(path, &a, &mm, &res), 0);
	assert_true(res.exec_stack);
	assert_int_equal(rd64(mm, res.sp), 1);
	rdstr(mm, rd64(mm, res.sp + 8), s, sizeof(s));
	assert_string_equal(s, "");
	assert_int_equal(rd64(mm, res.sp + 16), 0);
	assert_int_equal(rd64(mm, res.sp + 24), 0);
	{
		char *text;
		size_t len;

		assert_int_equal(mm_maps_text(mm, &text, &len), 0);
		assert_non_null(strstr(text, "rwxp 00000000 00:00 0            "
					     "              [stack]"));
		free(text);
	}
	mm_put(mm);
}

static void test_e2big(void **state)
{
	struct elf_opts o = {.type = LINUX_ET_EXEC, .base = 0x400000};
	struct loader_args a = args();
	struct loader_result res;
	char path[300], *big;
	const char *v[1];
	struct mm *mm;

	(void)state;
	snprintf(path, sizeof(path), "%s/e2big", tmpdir);
	write_elf(path, &o);
	big = malloc(LOADER_MAX_ARG_STRLEN + 1);
	memset(big, 'x', LOADER_MAX_ARG_STRLEN);
	big[LOADER_MAX_ARG_STRLEN] = 0;
	v[0] = big;
	a.argv = (char *const *)v;
	a.argc = 1;
	assert_int_equal(load(path, &a, &mm, &res), -E2BIG);
	mm_put(mm);
	big[LOADER_MAX_ARG_STRLEN - 1] = 0; /* exactly MAX_ARG_STRLEN */
	assert_int_equal(load(path, &a, &mm, &res), 0);
	mm_put(mm);
	/* A small stack limit still allows 128 KiB; 8 MiB allows 2 MiB. */
	assert_int_equal(loader_arg_limit(4096), 32 * PG);
	assert_int_equal(loader_arg_limit(8 << 20), 2 << 20);
	assert_int_equal(loader_arg_limit(UINT64_MAX), 6 << 20);
	a.stack_limit = 4096;
	assert_int_equal(load(path, &a, &mm, &res), -E2BIG);
	mm_put(mm);
	free(big);
}

static void tw_magic(struct linux_elf64_ehdr *e, struct linux_elf64_phdr *p)
{
	(void)p;
	e->e_ident[1] = 'X';
}
static void tw_class(struct linux_elf64_ehdr *e, struct linux_elf64_phdr *p)
{
	(void)p;
	e->e_ident[LINUX_EI_CLASS] = 1;
}
static void tw_machine(struct linux_elf64_ehdr *e, struct linux_elf64_phdr *p)
{
	(void)p;
	e->e_machine = 3;
}
static void tw_type(struct linux_elf64_ehdr *e, struct linux_elf64_phdr *p)
{
	(void)p;
	e->e_type = 1;
}
static void tw_phent(struct linux_elf64_ehdr *e, struct linux_elf64_phdr *p)
{
	(void)p;
	e->e_phentsize = 32;
}
static void tw_phnum0(struct linux_elf64_ehdr *e, struct linux_elf64_phdr *p)
{
	(void)p;
	e->e_phnum = 0;
}
static void tw_phnum_big(struct linux_elf64_ehdr *e, struct linux_elf64_phdr *p)
{
	(void)p;
	e->e_phnum = 2000;
}
static void tw_phoff(struct linux_elf64_ehdr *e, struct linux_elf64_phdr *p)
{
	(void)p;
	e->e_phoff = 0x2fa0;
}
static void tw_phoff_wrap(struct linux_elf64_ehdr *e,
			  struct linux_elf64_phdr *p)
{
	(void)p;
	e->e_phoff = UINT64_MAX - 8;
}
static void tw_memsz(struct linux_elf64_ehdr *e, struct linux_elf64_phdr *p)
{
	(void)e;
	p[1].p_memsz = 1; /* filesz > memsz */
}
static void tw_vaddr(struct linux_elf64_ehdr *e, struct linux_elf64_phdr *p)
{
	(void)e;
	p[1].p_vaddr = UINT64_MAX - 0x1000;
}
static void tw_offset(struct linux_elf64_ehdr *e, struct linux_elf64_phdr *p)
{
	(void)e;
	p[1].p_offset = 0x2010; /* not congruent with p_vaddr */
}
static void tw_noload(struct linux_elf64_ehdr *e, struct linux_elf64_phdr *p)
{
	(void)e;
	p[0].p_type = p[1].p_type = LINUX_PT_NOTE;
}
static void tw_interp_nonul(struct linux_elf64_ehdr *e,
			    struct linux_elf64_phdr *p)
{
	(void)e;
	p[0].p_filesz -= 1;
}
static void tw_interp_long(struct linux_elf64_ehdr *e,
			   struct linux_elf64_phdr *p)
{
	(void)e;
	p[0].p_filesz = 5000;
}
static void tw_interp_short(struct linux_elf64_ehdr *e,
			    struct linux_elf64_phdr *p)
{
	(void)e;
	p[0].p_filesz = 1;
}

static void test_bad_elf(void **state)
{
	static const struct {
		void (*tweak)(struct linux_elf64_ehdr *,
			      struct linux_elf64_phdr *);
		bool interp;
		int err;
	} cases[] = {
		{tw_magic, false, -ENOEXEC},
		{tw_class, false, -ENOEXEC},
		{tw_machine, false, -ENOEXEC},
		{tw_type, false, -ENOEXEC},
		{tw_phent, false, -ENOEXEC},
		{tw_phnum0, false, -ENOEXEC},
		{tw_phnum_big, false, -ENOEXEC},
		{tw_phoff, false, -EIO},
		{tw_phoff_wrap, false, -ENOEXEC},
		{tw_memsz, false, -EINVAL},
		{tw_vaddr, false, -EINVAL},
		{tw_offset, false, -EINVAL},
		{tw_noload, false, -ENOEXEC},
		{tw_interp_nonul, true, -ENOEXEC},
		{tw_interp_long, true, -ENOEXEC},
		{tw_interp_short, true, -ENOEXEC},
	};
	struct loader_args a = args();
	struct loader_result res;
	char path[300];
	struct mm *mm;

	(void)state;
	snprintf(path, sizeof(path), "%s/bad", tmpdir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct elf_opts o = {.type = LINUX_ET_EXEC,
				     .base = 0x400000,
				     .tweak = cases[i].tweak,
				     .interp = cases[i].interp ? "/nonexistent"
							       : NULL};

		write_elf(path, &o);
		if (load(path, &a, &mm, &res) != cases[i].err)
			fail_msg("case %zu: want %d got %d", i, cases[i].err,
				 load(path, &a, &mm, &res));
		mm_put(mm);
	}
	/* A short file, an empty one, a script. */
	{
		int fd = open(path, O_WRONLY | O_TRUNC);

		assert_int_equal(write(fd, "\177ELF\2\1", 6), 6);
		close(fd);
		assert_int_equal(load(path, &a, &mm, &res), -ENOEXEC);
		mm_put(mm);
	}
	/* A missing interpreter: what the vfs said; a bad one: ELIBBAD. */
	{
		struct elf_opts o = {.type = LINUX_ET_DYN,
				     .base = 0,
				     .interp = "/nonexistent/ld.so"};
		char bad[300];

		write_elf(path, &o);
		assert_int_equal(load(path, &a, &mm, &res), -ENOENT);
		mm_put(mm);
		snprintf(bad, sizeof(bad), "%s/badinterp", tmpdir);
		{
			struct elf_opts b = {.type = LINUX_ET_EXEC,
					     .base = 0x400000,
					     .tweak = tw_machine};

			write_elf(bad, &b);
		}
		o.interp = bad;
		write_elf(path, &o);
		opened = released = 0;
		assert_int_equal(load(path, &a, &mm, &res), -ELIBBAD);
		assert_int_equal(released, opened);
		mm_put(mm);
		o.interp = "/etc/passwd";
		write_elf(path, &o);
		assert_int_equal(load(path, &a, &mm, &res), -ELIBBAD);
		mm_put(mm);
	}
}

/* A real static binary, if the host has one. */
static void test_busybox(void **state)
{
	const char *bb = "/bin/busybox";
	struct loader_args a = args();
	struct loader_result res;
	struct linux_elf64_ehdr eh;
	struct mm *mm;
	int fd = open(bb, O_RDONLY);

	(void)state;
	if (fd < 0)
		skip();
	assert_int_equal(pread(fd, &eh, sizeof(eh), 0), (ssize_t)sizeof(eh));
	close(fd);
	assert_int_equal(load(bb, &a, &mm, &res), 0);
	assert_int_equal(auxval(mm, res.sp, LINUX_AT_ENTRY),
			 eh.e_entry + res.load_bias);
	assert_int_equal(auxval(mm, res.sp, LINUX_AT_PHNUM), eh.e_phnum);
	if (eh.e_type == LINUX_ET_EXEC)
		assert_int_equal(auxval(mm, res.sp, LINUX_AT_PHDR),
				 0x400000 + eh.e_phoff);
	mm_put(mm);
}

static void test_shebang(void **state)
{
	static const struct {
		const char *in;
		int err;
		const char *interp, *arg;
	} cases[] = {
		{"#!/bin/sh\n", 0, "/bin/sh", ""},
		{"#!/bin/sh -e\n", 0, "/bin/sh", "-e"},
		{"#! /bin/sh\n", 0, "/bin/sh", ""},
		{"#!\t/bin/sh \t\n", 0, "/bin/sh", ""},
		{"#!/usr/bin/env python3 -u -x  \necho", 0, "/usr/bin/env",
		 "python3 -u -x"},
		{"#!/bin/sh  a  b\n", 0, "/bin/sh", "a  b"},
		{"#!/bin/sh", 0, "/bin/sh", ""}, /* short file: NUL-padded */
		{"#!\n", -ENOEXEC, NULL, NULL},
		{"#!   \n", -ENOEXEC, NULL, NULL},
		{"#!", 0, "", ""}, /* Linux then fails to open "": ENOENT */
		{"#/bin/sh\n", -ENOEXEC, NULL, NULL},
		{"\177ELF", -ENOEXEC, NULL, NULL},
		{"", -ENOEXEC, NULL, NULL},
	};
	char interp[256], arg[256], longline[400];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err = loader_parse_shebang(cases[i].in, strlen(cases[i].in),
					       interp, sizeof(interp), arg,
					       sizeof(arg));

		if (err != cases[i].err)
			fail_msg("case %zu: %d", i, err);
		if (!err) {
			assert_string_equal(interp, cases[i].interp);
			assert_string_equal(arg, cases[i].arg);
		}
	}
	/* No newline in 256 bytes: fine if the path ended... */
	memset(longline, 'a', sizeof(longline));
	memcpy(longline, "#!/bin/sh ", 10);
	assert_int_equal(loader_parse_shebang(longline, sizeof(longline),
					      interp, sizeof(interp), arg,
					      sizeof(arg)),
			 0);
	assert_string_equal(interp, "/bin/sh");
	assert_int_equal(strlen(arg), 256 - 10 - 1); /* the last byte is cut */
	/* ...not if it may be truncated. */
	memcpy(longline, "#!/bin/shxx", 11);
	assert_int_equal(loader_parse_shebang(longline, sizeof(longline),
					      interp, sizeof(interp), arg,
					      sizeof(arg)),
			 -ENOEXEC);
	/* Output buffers too small. */
	assert_int_equal(loader_parse_shebang("#!/bin/sh\n", 10, interp, 4, arg,
					      sizeof(arg)),
			 -ENOEXEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_exec),
		cmocka_unit_test(test_pie_interp),
		cmocka_unit_test(test_stack_layout),
		cmocka_unit_test(test_e2big),
		cmocka_unit_test(test_bad_elf),
		cmocka_unit_test(test_busybox),
		cmocka_unit_test(test_shebang),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
