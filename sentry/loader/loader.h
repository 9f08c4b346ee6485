/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loader.h: execve's program loader.
 *
 * Loads an ELF64 x86-64 program (ET_EXEC or ET_DYN) and its PT_INTERP
 * interpreter into a fresh mm and builds the initial stack exactly as
 * Linux's fs/binfmt_elf.c does (strings, argv/envp pointers, auxv,
 * alignment), without knowing the vfs: files come in as loader_file
 * callbacks, so the kernel's execve glues the two together. `#!` scripts
 * are parsed here too (loader_parse_shebang) and the kernel re-runs the
 * exec with the interpreter.
 *
 * No randomization yet: the layout is Linux's with ASLR off
 * (setarch -R), which keeps runs reproducible.
 */
#ifndef CVISOR_LOADER_H
#define CVISOR_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm;
struct mappable;
struct platform;

/* A file to load, as the vfs opened it. */
struct loader_file {
	/* Read up to len bytes at off: the count (short at EOF) or -errno. */
	long (*pread)(void *ctx, void *buf, size_t len, uint64_t off);
	/* The file's page cache, as a new reference (the loader puts it);
	 * NULL if the file cannot be mapped. */
	struct mappable *(*mappable)(void *ctx);
	uint64_t dev, ino;      /* for /proc/PID/maps (st_dev encoding) */
	const char *path;       /* the name /proc/PID/maps shows */
	void *ctx;
};

struct loader_args {
	/* Already copied from the old address space. argc 0 gets Linux's
	 * treatment: an empty argv[0] is added. */
	char *const *argv;
	size_t argc;
	char *const *envp;
	size_t envc;
	const char *execfn;     /* AT_EXECFN: the path execve was given */
	uint32_t uid, euid, gid, egid;
	bool secure;            /* AT_SECURE */
	uint64_t stack_limit;   /* RLIMIT_STACK (soft) */
	/* The vDSO to map and the address range; NULL: none (tests). */
	const struct platform *platform;
	/* Open the interpreter named by PT_INTERP; 0 or -errno (ENOENT,
	 * EACCES... as the vfs says). The loader calls release on what
	 * open_interp filled (never on the program's own file). */
	int (*open_interp)(void *open_ctx, const char *path,
			   struct loader_file *out);
	void (*release)(void *open_ctx, struct loader_file *f);
	/* Fill AT_RANDOM's 16 bytes: 0 or -errno; NULL: getrandom(). */
	int (*random)(void *open_ctx, void *buf, size_t len);
	void *open_ctx;
	uint64_t minsigstksz;   /* AT_MINSIGSTKSZ; 0: computed as Linux does
				   from the host's XSAVE size */
};

struct loader_result {
	uint64_t entry;         /* where the thread starts (the interpreter's
				   entry when there is one) */
	uint64_t sp;            /* the initial stack pointer (at argc) */
	uint64_t load_bias;     /* of the program: 0 for ET_EXEC */
	uint64_t interp_base;   /* AT_BASE; 0 without an interpreter */
	bool exec_stack;        /* PT_GNU_STACK asked for PF_X */
};

/*
 * Load the program `f` into `mm` (a fresh, empty address space) and set
 * up its stack and layout (mm_layout: code/data/brk/stack/arg/env ranges
 * and the saved auxv). Errors as execve reports them: ENOEXEC (not an
 * ELF64 x86-64 executable, bad headers), EIO (short headers), E2BIG
 * (argv+envp too large), ELIBBAD (a bad interpreter), EINVAL/EEXIST
 * (segments that cannot be placed), ENOMEM, or what open_interp said.
 * On error the mm is left partly filled: the caller discards it.
 */
int loader_exec(struct mm *mm, const struct loader_file *f,
		const struct loader_args *args, struct loader_result *res);

/*
 * How many bytes of argument and environment strings, plus their
 * pointers, execve accepts with this stack limit (Linux's
 * bprm_stack_limits: a quarter of the stack, at most 6 MiB, at least
 * 128 KiB), and the longest single string (MAX_ARG_STRLEN, with its
 * NUL): so execve can stop copying a hostile argv early.
 */
uint64_t loader_arg_limit(uint64_t stack_limit);
#define LOADER_MAX_ARG_STRLEN (32 * 4096)

/*
 * Parse a "#!" line as Linux's binfmt_script: `buf` holds the first
 * `len` bytes of the file (only the first 256 count). On success the
 * interpreter path and its optional single argument (everything after
 * the first run of blanks, trailing blanks removed; "" if none) are
 * copied out. -ENOEXEC: not a script, no interpreter, or a path that
 * may be truncated (or does not fit the given buffers).
 */
#define LOADER_BINPRM_BUF_SIZE 256
int loader_parse_shebang(const char *buf, size_t len, char *interp,
			 size_t interp_size, char *arg, size_t arg_size);

#endif
