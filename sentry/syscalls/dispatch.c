/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dispatch.c: the hand-written edges of the generated table: the dispatch
 * entry point and what an unsupported call does.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "gen/syscall_names.h"
#include "lib/log.h"

/* One bit per number, so each unsupported call is logged once. */
static atomic_ulong unsupported_seen[(SYSCALL_TABLE_SIZE + 63) / 64 + 1];

long syscall_dispatch(struct task *t, uint64_t nr, const uint64_t raw[6])
{
	if (nr >= SYSCALL_TABLE_SIZE)
		return syscall_unsupported(t, -1, ENOSYS);
	return syscall_table[nr].call(t, raw);
}

long syscall_unsupported(struct task *t, int nr, int err)
{
	const struct syscall_entry *e = nr >= 0 ? syscall_lookup((uint64_t)nr)
						: NULL;
	size_t slot = nr >= 0 ? (size_t)nr : SYSCALL_TABLE_SIZE;
	unsigned long bit = 1UL << (slot % 64);

	(void)t;
	if (!(atomic_fetch_or(&unsupported_seen[slot / 64], bit) & bit))
		log_info("unsupported syscall %s (%d): returning %s",
			 e ? e->name : "unknown", nr, strerrorname_np(err));
	return -err;
}

const char *syscall_status_name(enum syscall_status s)
{
	switch (s) {
	case SYSCALL_SUPPORTED:
		return "supported";
	case SYSCALL_PARTIAL:
		return "partial";
	default:
		return "unsupported";
	}
}
