/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mm.h: guest address spaces (the contract the rest of the Sentry uses).
 *
 * All guest memory lives in the memory file (memfile.h). An mm is a set of
 * vmas (what the guest asked for: range, protection, sharing, what backs it)
 * and, lazily, the memory-file pages behind them, mapped into the
 * platform's address space on first touch (mm_fault). Private memory is
 * copy-on-write in the Sentry: fork shares pages read-only with a
 * reference count, and the first write copies.
 *
 * Everything here runs under the kernel lock.
 */
#ifndef CVISOR_MM_H
#define CVISOR_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct platform;
struct platform_as;
struct mappable;
struct memfile;
struct strbuf;

#define MM_PAGE_SIZE 4096ULL
#define MM_PAGE_MASK (MM_PAGE_SIZE - 1)

struct mm;

/* The memory file and the platform every mm uses, set once at start-up
 * before the first mm_new (tests may set them again between cases). A
 * NULL platform keeps mms Sentry-side only: no platform address space. */
void mm_init(struct memfile *, struct platform *);
struct memfile *mm_memfile(void);

/* A new, empty address space (a fresh platform address space). */
int mm_new(struct mm **out);
/* fork(): a copy-on-write duplicate (MAP_SHARED stays shared,
 * MADV_DONTFORK ranges are left out, MADV_WIPEONFORK ones are zero). */
int mm_fork(struct mm *parent, struct mm **out);
/* References held by the tasks that share it (CLONE_VM). */
void mm_get(struct mm *);
void mm_put(struct mm *);
struct platform_as *mm_as(struct mm *);

/*
 * Resolve a guest page fault at `addr` with TRAP_ACCESS_* `access`:
 * allocate or copy the page and map it. Returns 0 when the guest may retry,
 * or the signal to send: -EFAULT for SIGSEGV (with *si_code SEGV_MAPERR
 * or SEGV_ACCERR), -EIO for SIGBUS (a file mapping past EOF; *si_code
 * BUS_ADRERR), -ENOMEM when the memory file or the platform ran out (what
 * Linux's OOM path would handle: the kernel should kill the task).
 */
int mm_fault(struct mm *, uint64_t addr, int access, int *si_code);

/* Copy between guest memory and the Sentry, as the guest's permissions
 * allow (reads need PROT_READ, writes PROT_WRITE; faulting pages in).
 * Return 0, or -EFAULT if any byte is not accessible (nothing is undone). */
int mm_copy_in(struct mm *, uint64_t addr, void *dst, size_t len);
int mm_copy_out(struct mm *, uint64_t addr, const void *src, size_t len);
int mm_zero(struct mm *, uint64_t addr, size_t len);
/* A NUL-terminated string: its length, -EFAULT, or -ENAMETOOLONG if there
 * is no NUL in the first `max` bytes. dst gets max bytes at most. */
long mm_copy_string_in(struct mm *, uint64_t addr, char *dst, size_t max);
/* Like copy_out but ignoring PROT_WRITE (the loader filling read-only
 * segments, ptrace-style pokes). */
int mm_copy_out_force(struct mm *, uint64_t addr, const void *src,
		      size_t len);
/* Like copy_in but ignoring PROT_READ (ptrace PEEK, /proc/PID/mem). */
int mm_copy_in_force(struct mm *, uint64_t addr, void *dst, size_t len);

/*
 * I/O straight into or out of guest pages: fill `iov` with the Sentry's
 * view of [addr, addr+len) in the memory file (faulting pages in, breaking
 * copy-on-write when `write` is set, i.e. when the I/O writes guest
 * memory). Returns the number of bytes covered (may be short at the first
 * inaccessible byte; -EFAULT if none), and sets *niov.
 */
long mm_io_vectors(struct mm *, uint64_t addr, size_t len, bool write,
		   struct iovec *iov, int maxiov, int *niov);
/* The same, but each page behind the vectors is pinned (a reference is
 * held) until mm_io_unpin(): for I/O done after dropping the kernel lock,
 * when another thread may munmap the range meanwhile (the I/O then lands
 * in the old pages, never in memory reused for something else). */
long mm_io_vectors_pinned(struct mm *, uint64_t addr, size_t len, bool write,
			  struct iovec *iov, int maxiov, int *niov);
void mm_io_unpin(const struct iovec *iov, int niov);

/*
 * The identity of the memory behind a guest address, for shared futexes:
 * for a MAP_SHARED mapping, the object (a mappable) and the offset in it,
 * so processes mapping the same object at different addresses agree.
 * Returns -ENOENT for private memory (the caller keys by mm and address),
 * -EFAULT if unmapped. (Requested by the futex code; implement in mm.)
 */
int mm_shared_key(struct mm *, uint64_t addr, const void **obj, uint64_t *off);

/* mmap(2) semantics, used by the syscall and by the loader. */
struct mm_map_args {
	uint64_t addr;          /* hint, or exact with MAP_FIXED */
	uint64_t len;
	int prot;               /* PROT_* */
	int flags;              /* MAP_* (SHARED/PRIVATE, FIXED, ANONYMOUS,
				   GROWSDOWN, FIXED_NOREPLACE, NORESERVE…) */
	struct mappable *obj;   /* NULL for anonymous memory */
	uint64_t offset;        /* into obj */
	int maxprot;            /* what mprotect may grant later (the file's
				   open mode); PROT_READ|WRITE|EXEC for anon */
	const char *name;       /* shown in /proc/PID/maps, e.g. a path */
	uint64_t dev, ino;      /* shown in /proc/PID/maps */
};
/* Returns the address or a negative errno. */
int64_t mm_map(struct mm *, const struct mm_map_args *);
int mm_unmap(struct mm *, uint64_t addr, uint64_t len);

/* The other address-space syscalls, with Linux's argument checks and
 * errnos; the syscall handlers add only what needs the task (rlimits,
 * capabilities, guest buffers). */
int mm_protect(struct mm *, uint64_t addr, uint64_t len, uint64_t prot);
/* mremap(2): the new address or a negative errno. */
int64_t mm_remap(struct mm *, uint64_t old_addr, uint64_t old_len,
		 uint64_t new_len, uint64_t flags, uint64_t new_addr);
/* brk(2): the new break, or the current one when the request fails.
 * `data_limit` is RLIMIT_DATA. */
uint64_t mm_brk(struct mm *, uint64_t brk, uint64_t data_limit);
int mm_advise(struct mm *, uint64_t addr, uint64_t len, int advice);
/* mincore(2) for [addr, addr + npages pages): one byte per page into vec
 * (bit 0: resident). Returns the pages filled, fewer than npages when an
 * unmapped page stops it; -ENOMEM if addr itself is unmapped, -EINVAL if
 * it is unaligned. */
long mm_incore(struct mm *, uint64_t addr, uint64_t npages, uint8_t *vec);
int mm_sync(struct mm *, uint64_t addr, uint64_t len, int flags);
/* mlock/munlock (MM_LOCK_* flags) and mlockall/munlockall (MCL_*). The
 * RLIMIT_MEMLOCK check is the caller's (it knows the task's limits and
 * capabilities); mm_locked_pages() and mm_locked_pages_in() help it. */
#define MM_LOCK 0x1
#define MM_LOCK_ONFAULT 0x2
int mm_lock(struct mm *, uint64_t addr, uint64_t len, int how);
int mm_lock_all(struct mm *, int mcl_flags);
int mm_unlock_all(struct mm *);
uint64_t mm_locked_pages(struct mm *);
uint64_t mm_locked_pages_in(struct mm *, uint64_t addr, uint64_t len);
/* Lowest and one-past-highest address a guest may map (the platform's). */
uint64_t mm_min_addr(void);
uint64_t mm_max_addr(void);

/* Layout the loader sets up and procfs shows. */
struct mm_layout {
	uint64_t start_code, end_code, start_data, end_data;
	uint64_t start_brk, brk;
	uint64_t start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv[2 * 40];
	unsigned auxv_len;      /* number of uint64_t used */
	uint64_t mmap_base;     /* top-down allocation starts below this */
	uint64_t vdso_base;
	uint64_t stack_limit;   /* how far a MAP_GROWSDOWN stack may grow
				   (RLIMIT_STACK: the kernel's setrlimit
				   keeps it current) */
};
struct mm_layout *mm_layout(struct mm *);
/* execve: the layout Linux picks for a new image (arch_pick_mmap_layout,
 * no randomization): mmap_base below the stack by its limit. */
void mm_exec_layout(struct mm *, uint64_t stack_limit);

/* Map the platform's host vDSO and vvar into the guest's view (so mmap
 * does not reuse their range and /proc/PID/maps shows them). */
int mm_map_vdso(struct mm *, const struct platform *);

/* The text of /proc/PID/maps; the caller frees *out. */
int mm_maps_text(struct mm *, char **out, size_t *len);
/* VmSize, VmRSS-ish figures for /proc/PID/status and statm, in pages. */
void mm_usage(struct mm *, uint64_t *total_pages, uint64_t *resident_pages);
/* VmSize alone (cheap: for RLIMIT_AS checks). */
uint64_t mm_total_pages(struct mm *);

/*
 * Something a file mapping maps: a page cache in the memory file. tmpfs
 * files are their page cache; Gofer files fill theirs from a host fd.
 * Refcounted; a vma holds a reference.
 */
struct mappable_ops {
	/* Fill memory-file bytes for object offset `off` (page aligned,
	 * `len` bytes) at `dst` in the Sentry's view; return bytes filled
	 * (short = EOF, the rest zeroed by the caller) or -errno. NULL: the
	 * cache is authoritative (tmpfs) and missing pages are zero. */
	long (*fill)(struct mappable *, uint64_t off, void *dst, size_t len);
	/* The object's size in bytes: faults past it give SIGBUS. */
	uint64_t (*size)(struct mappable *);
	/* Write back dirty shared pages (msync); may be NULL. */
	int (*writeback)(struct mappable *, uint64_t off, uint64_t len);
	void (*release)(struct mappable *);
};
struct mappable *mappable_new(const struct mappable_ops *, void *priv);
void *mappable_priv(struct mappable *);
void mappable_get(struct mappable *);
void mappable_put(struct mappable *);
/* How many shared mappings of it may write (Linux's i_mmap_writable):
 * F_SEAL_WRITE is refused while there are any. */
unsigned mappable_writable_maps(struct mappable *);
/* The page cache as a file's data (tmpfs read/write, Gofer file reads):
 * copy bytes of the object at `off` to/from a Sentry buffer, allocating
 * pages (and filling them) as needed. */
long mappable_read(struct mappable *, uint64_t off, void *dst, size_t len);
long mappable_write(struct mappable *, uint64_t off, const void *src,
		    size_t len);
/* Drop cached pages at and past `size` (truncate). */
void mappable_truncate(struct mappable *, uint64_t size);
/* Drop the cached pages of [off, off + len) (page aligned; a hole punched
 * in tmpfs, or the backing file changed behind a Gofer cache): guest
 * mappings of them go away and fault again. */
void mappable_invalidate(struct mappable *, uint64_t off, uint64_t len);
/* Write back the dirty pages of [off, off + len) through ops->writeback
 * (msync, fsync, close). 0 or the first error. */
int mappable_writeback(struct mappable *, uint64_t off, uint64_t len);
/* The object behind MAP_SHARED|MAP_ANONYMOUS (and shared /dev/zero, SysV
 * shm): an authoritative cache `size` bytes long. NULL when out of memory. */
struct mappable *mm_shmem_new(uint64_t size);
/* Whether `ops` are the object's (System V shm knows its segments so). */
bool mappable_has_ops(const struct mappable *, const struct mappable_ops *);
/* The mappings of the object in all address spaces: System V's shm_nattch
 * (a mapping split in two counts twice, as on Linux). */
unsigned mappable_map_count(struct mappable *);
/* shmdt(2): unmap the attachment of an object with `ops` at `addr` (the
 * first mapping at or after addr whose offset in its object is its
 * distance from addr) and the other pieces of that attachment. 0 with
 * *out the object (a reference the caller drops), or -EINVAL when there
 * is none or addr is not page aligned. */
int mm_detach_object(struct mm *, uint64_t addr,
		     const struct mappable_ops *, struct mappable **out);

#endif
