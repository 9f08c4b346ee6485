/* SPDX-License-Identifier: Apache-2.0 */
/*
 * elf.c: reading ELF headers and mapping PT_LOAD segments, following
 * Linux's fs/binfmt_elf.c (load_elf_binary, load_elf_interp, elf_load)
 * with randomization off. Every header field is hostile input: offsets,
 * sizes and addresses are checked for overflow before use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/loader/loader_internal.h"
#include "sentry/mm/mm.h"

#define PAGE 4096ULL
#define PAGE_MASK_ (PAGE - 1)
/* ELF_ET_DYN_BASE on x86-64: 2/3 of the 47-bit address space. */
#define ET_DYN_BASE ((0x7ffffffff000ULL / 3 * 2) & ~PAGE_MASK_)
#define TASK_SIZE 0x7ffffffff000ULL
#define PATH_MAX_ 4096

static uint64_t pgdown(uint64_t a)
{
	return a & ~PAGE_MASK_;
}

static uint64_t pgup(uint64_t a)
{
	return (a + PAGE_MASK_) & ~PAGE_MASK_;
}

/* Read exactly len bytes at off: -EIO when short, as Linux's elf_read. */
static int read_exact(const struct loader_file *f, void *buf, size_t len,
		      uint64_t off)
{
	long n = f->pread(f->ctx, buf, len, off);

	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

/* Read and check the ELF and program headers. */
static int read_headers(const struct loader_file *f, struct elf_image *img)
{
	const struct linux_elf64_ehdr *eh = &img->eh;
	size_t size;
	long n;
	int err;

	memset(img, 0, sizeof(*img));
	n = f->pread(f->ctx, &img->eh, sizeof(img->eh), 0);
	if (n < 0)
		return (int)n;
	if ((size_t)n < sizeof(img->eh) ||
	    memcmp(eh->e_ident, LINUX_ELFMAG, LINUX_SELFMAG) != 0 ||
	    eh->e_ident[LINUX_EI_CLASS] != LINUX_ELFCLASS64 ||
	    eh->e_ident[LINUX_EI_DATA] != LINUX_ELFDATA2LSB)
		return -ENOEXEC;
	if (eh->e_type != LINUX_ET_EXEC && eh->e_type != LINUX_ET_DYN)
		return -ENOEXEC;
	if (eh->e_machine != LINUX_EM_X86_64)
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(struct linux_elf64_phdr))
		return -ENOEXEC;
	/* Linux's load_elf_phdrs: at least one, at most 64 KiB of them. */
	if (eh->e_phnum < 1 ||
	    eh->e_phnum > 65536U / sizeof(struct linux_elf64_phdr))
		return -ENOEXEC;
	size = (size_t)eh->e_phnum * sizeof(struct linux_elf64_phdr);
	if (eh->e_phoff > UINT64_MAX - size)
		return -ENOEXEC;
	img->ph = malloc(size);
	if (!img->ph)
		return -ENOMEM;
	err = read_exact(f, img->ph, size, eh->e_phoff);
	if (err) {
		free(img->ph);
		img->ph = NULL;
	}
	return err;
}

static int make_prot(uint32_t pflags)
{
	int prot = 0;

	if (pflags & LINUX_PF_R)
		prot |= LINUX_PROT_READ;
	if (pflags & LINUX_PF_W)
		prot |= LINUX_PROT_WRITE;
	if (pflags & LINUX_PF_X)
		prot |= LINUX_PROT_EXEC;
	return prot;
}

/* The span of all PT_LOAD segments (total_mapping_size); 0 if none. */
static uint64_t total_size(const struct elf_image *img)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	bool any = false;

	for (unsigned i = 0; i < img->eh.e_phnum; i++) {
		const struct linux_elf64_phdr *p = &img->ph[i];

		if (p->p_type != LINUX_PT_LOAD)
			continue;
		if (pgdown(p->p_vaddr) < lo)
			lo = pgdown(p->p_vaddr);
		if (p->p_vaddr + p->p_memsz > hi)
			hi = p->p_vaddr + p->p_memsz;
		any = true;
	}
	return any && hi > lo ? hi - lo : 0;
}

/* The largest power-of-two p_align of the PT_LOADs, at least a page. */
static uint64_t max_alignment(const struct elf_image *img)
{
	uint64_t a = 0;

	for (unsigned i = 0; i < img->eh.e_phnum; i++) {
		uint64_t pa = img->ph[i].p_align;

		if (img->ph[i].p_type != LINUX_PT_LOAD || !pa ||
		    (pa & (pa - 1)))
			continue;
		if (pa > a)
			a = pa;
	}
	return a < PAGE ? PAGE : a;
}

/* A segment's checks: sizes consistent and the whole of it inside the
 * address space once biased (set_brk and friends must not overflow). */
static bool segment_ok(const struct linux_elf64_phdr *p, uint64_t bias)
{
	uint64_t k = bias + p->p_vaddr;

	if (p->p_filesz > p->p_memsz || p->p_memsz > TASK_SIZE ||
	    k >= TASK_SIZE || TASK_SIZE - p->p_memsz < k)
		return false;
	if (p->p_offset > UINT64_MAX - p->p_filesz)
		return false;
	/* The file part must be mappable at a page-aligned offset. */
	return !p->p_filesz ||
	       (p->p_offset & PAGE_MASK_) == (p->p_vaddr & PAGE_MASK_);
}

/*
 * Map one PT_LOAD at bias + p_vaddr (elf_map + elf_load): the file part
 * private from the page cache, the rest of its last page zeroed (only if
 * writable, as Linux's padzero), and anonymous memory for the remainder
 * of p_memsz. `total` > 0 reserves the whole image with the first
 * mapping. Returns the address the file part landed at, or -errno.
 */
static int64_t load_segment(struct mm *mm, const struct loader_file *f,
			    struct mappable *obj,
			    const struct linux_elf64_phdr *p, uint64_t addr,
			    int flags, uint64_t total)
{
	int prot = make_prot(p->p_flags);
	uint64_t pgoff = p->p_vaddr & PAGE_MASK_;
	uint64_t size = pgup(p->p_filesz + pgoff), zero_start, zero_end;
	int64_t map_addr = (int64_t)pgdown(addr);
	struct mm_map_args a = {
		.addr = pgdown(addr),
		.prot = prot,
		.flags = LINUX_MAP_PRIVATE | flags,
		.obj = obj,
		.offset = p->p_offset - pgoff,
		.maxprot = LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC,
		.name = f->path,
		.dev = f->dev,
		.ino = f->ino,
	};

	if (p->p_filesz) {
		a.len = total ? pgup(total) : size;
		map_addr = mm_map(mm, &a);
		if (map_addr < 0)
			return map_addr;
		if (total && pgup(total) > size)
			mm_unmap(mm, (uint64_t)map_addr + size,
				 pgup(total) - size);
		zero_start = (uint64_t)map_addr + pgoff + p->p_filesz;
		zero_end = (uint64_t)map_addr + pgoff + p->p_memsz;
		if (p->p_memsz > p->p_filesz && (zero_start & PAGE_MASK_) &&
		    (prot & LINUX_PROT_WRITE) &&
		    mm_zero(mm, zero_start, PAGE - (zero_start & PAGE_MASK_)))
			return -EFAULT;
	} else {
		if (total) {
			/* Nothing from the file: reserve the image with the
			 * anonymous part. */
			struct mm_map_args r = a;

			r.obj = NULL;
			r.flags |= LINUX_MAP_ANONYMOUS;
			r.len = pgup(total);
			r.prot = 0;
			map_addr = mm_map(mm, &r);
			if (map_addr < 0)
				return map_addr;
			mm_unmap(mm, (uint64_t)map_addr, pgup(total));
		}
		zero_start = (uint64_t)map_addr;
		zero_end = zero_start + pgoff + p->p_memsz;
	}
	if (p->p_memsz > p->p_filesz) {
		struct mm_map_args b = {
			.addr = pgup(zero_start),
			.len = pgup(zero_end) - pgup(zero_start),
			/* vm_brk_flags: bss is always read-write. */
			.prot = LINUX_PROT_READ | LINUX_PROT_WRITE |
				(prot & LINUX_PROT_EXEC),
			.flags = LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS |
				 LINUX_MAP_FIXED,
			.maxprot = LINUX_PROT_READ | LINUX_PROT_WRITE |
				   LINUX_PROT_EXEC,
		};
		int64_t r;

		if (b.len) {
			r = mm_map(mm, &b);
			if (r < 0)
				return r;
		}
	}
	return map_addr;
}

/*
 * Map every PT_LOAD of img. `fixed_base`: where an ET_DYN goes (0: let
 * the top-down search choose, as for interpreters and static PIE).
 * Fills bias, entry, phdr_addr and the code/data/brk bounds.
 */
static int map_image(struct mm *mm, const struct loader_file *f,
		     struct elf_image *img, uint64_t dyn_base)
{
	struct mappable *obj = f->mappable ? f->mappable(f->ctx) : NULL;
	uint64_t total = 0, bias = 0;
	bool first = true;
	int err = 0;

	if (!obj)
		return -ENODEV; /* as mmap of a file that cannot be mapped */
	img->start_code = UINT64_MAX;
	if (img->eh.e_type == LINUX_ET_DYN) {
		total = total_size(img);
		if (!total) {
			err = -EINVAL;
			goto out;
		}
	}
	for (unsigned i = 0; i < img->eh.e_phnum; i++) {
		const struct linux_elf64_phdr *p = &img->ph[i];
		int flags = 0;
		int64_t at;
		uint64_t k;

		if (p->p_type != LINUX_PT_LOAD)
			continue;
		if (first) {
			if (img->eh.e_type == LINUX_ET_EXEC) {
				flags = LINUX_MAP_FIXED_NOREPLACE;
			} else if (dyn_base) {
				uint64_t al = max_alignment(img);

				bias = pgdown((dyn_base & ~(al - 1)) -
					      p->p_vaddr);
				flags = LINUX_MAP_FIXED_NOREPLACE;
			} else {
				bias = pgdown(0 - p->p_vaddr);
			}
		} else {
			flags = LINUX_MAP_FIXED;
		}
		if (!segment_ok(p, bias) && !(first && !flags)) {
			err = -EINVAL;
			goto out;
		}
		at = load_segment(mm, f, obj, p, bias + p->p_vaddr, flags,
				  first ? total : 0);
		if (at < 0) {
			err = (int)at;
			goto out;
		}
		if (first && !flags) {
			/* The search chose the base. */
			bias = (uint64_t)at - pgdown(p->p_vaddr);
			if (!segment_ok(p, bias)) {
				err = -EINVAL;
				goto out;
			}
		}
		first = false;
		k = p->p_vaddr;
		if ((p->p_flags & LINUX_PF_X) && k < img->start_code)
			img->start_code = k;
		if (img->start_data < k)
			img->start_data = k;
		if (p->p_offset <= img->eh.e_phoff &&
		    img->eh.e_phoff < p->p_offset + p->p_filesz)
			img->phdr_addr = img->eh.e_phoff - p->p_offset + k;
		k = p->p_vaddr + p->p_filesz;
		if ((p->p_flags & LINUX_PF_X) && img->end_code < k)
			img->end_code = k;
		if (img->end_data < k)
			img->end_data = k;
		k = p->p_vaddr + p->p_memsz;
		if (k > img->brk)
			img->brk = k;
	}
	if (first) {
		err = -ENOEXEC; /* no PT_LOAD at all */
		goto out;
	}
	img->bias = bias;
	img->entry = img->eh.e_entry + bias;
	img->phdr_addr += bias;
	img->brk += bias;
	img->start_code += bias;
	img->end_code += bias;
	img->start_data += bias;
	img->end_data += bias;
	if (img->entry >= TASK_SIZE)
		err = -EINVAL;
out:
	mappable_put(obj);
	return err;
}

/* The PT_INTERP path, or NULL; -ENOEXEC if malformed. */
static int read_interp(const struct loader_file *f, const struct elf_image *img,
		       char **out)
{
	*out = NULL;
	for (unsigned i = 0; i < img->eh.e_phnum; i++) {
		const struct linux_elf64_phdr *p = &img->ph[i];
		char *path;
		int err;

		if (p->p_type != LINUX_PT_INTERP)
			continue;
		if (p->p_filesz > PATH_MAX_ || p->p_filesz < 2)
			return -ENOEXEC;
		path = malloc(p->p_filesz);
		if (!path)
			return -ENOMEM;
		err = read_exact(f, path, p->p_filesz, p->p_offset);
		if (!err && path[p->p_filesz - 1] != '\0')
			err = -ENOEXEC;
		if (err) {
			free(path);
			return err;
		}
		*out = path;
		return 0; /* the first one counts */
	}
	return 0;
}

static bool exec_stack_requested(const struct elf_image *img)
{
	for (unsigned i = 0; i < img->eh.e_phnum; i++)
		if (img->ph[i].p_type == LINUX_PT_GNU_STACK)
			return img->ph[i].p_flags & LINUX_PF_X;
	return false; /* x86-64: no READ_IMPLIES_EXEC by default */
}

/* Load the interpreter; a bad one is ELIBBAD. */
static int load_interp(struct mm *mm, const struct loader_args *a,
		       const char *path, struct elf_image *img)
{
	struct loader_file f = {0};
	int err;

	if (!a->open_interp)
		return -ENOENT;
	err = a->open_interp(a->open_ctx, path, &f);
	if (err)
		return err;
	err = read_headers(&f, img);
	if (err == -ENOEXEC)
		err = -ELIBBAD;
	if (!err) {
		err = map_image(mm, &f, img, 0);
		if (err == -ENOEXEC || err == -EINVAL)
			err = -ELIBBAD;
	}
	if (a->release)
		a->release(a->open_ctx, &f);
	return err;
}

int loader_exec(struct mm *mm, const struct loader_file *f,
		const struct loader_args *args, struct loader_result *res)
{
	struct elf_image img, interp = {0};
	struct mm_layout *l = mm_layout(mm);
	struct stack_aux aux = {0};
	char *ipath = NULL;
	int err;

	memset(res, 0, sizeof(*res));
	err = read_headers(f, &img);
	if (err)
		return err;
	err = read_interp(f, &img, &ipath);
	if (err)
		goto out;
	res->exec_stack = exec_stack_requested(&img);
	mm_exec_layout(mm, args->stack_limit);
	if (args->platform) {
		err = mm_map_vdso(mm, args->platform);
		if (err)
			goto out;
	}
	err = map_image(mm, f, &img, ipath ? ET_DYN_BASE : 0);
	if (err)
		goto out;
	if (ipath) {
		err = load_interp(mm, args, ipath, &interp);
		if (err)
			goto out;
	}
	l->start_code = img.start_code;
	l->end_code = img.end_code;
	l->start_data = img.start_data;
	l->end_data = img.end_data;
	l->start_brk = l->brk = pgup(img.brk);
	aux.phdr = img.phdr_addr;
	aux.phnum = img.eh.e_phnum;
	aux.entry = img.entry;
	aux.base = ipath ? interp.bias : 0;
	aux.sysinfo_ehdr = l->vdso_base;
	err = loader_build_stack(mm, args, &aux, res->exec_stack, res);
	if (err)
		goto out;
	res->entry = ipath ? interp.entry : img.entry;
	res->load_bias = img.bias;
	res->interp_base = aux.base;
out:
	free(ipath);
	free(img.ph);
	free(interp.ph);
	return err;
}
