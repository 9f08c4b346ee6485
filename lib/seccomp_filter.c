/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp_filter.c: turn a generated rule table into a loaded filter.
 *
 * The policy is data (spec/seccomp/); this file has no opinion about
 * what is allowed, only how a table becomes BPF.
 */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>

#include "lib/log.h"
#include "lib/seccomp_filter.h"

scmp_filter_ctx seccomp_filter_build(const struct seccomp_filter *f, int *err)
{
	scmp_filter_ctx ctx = seccomp_init(f->default_action);
	int rc;

	if (!ctx) {
		*err = -ENOMEM;
		return NULL;
	}
	/* Rules name x86-64 numbers; refuse any other ABI (x32, i386) so a
	 * 32-bit syscall entry cannot bypass the table. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			      SCMP_ACT_KILL_PROCESS);
	for (size_t i = 0; rc == 0 && i < f->nrules; i++) {
		const struct seccomp_rule *r = &f->rules[i];

		rc = seccomp_rule_add_exact_array(ctx, r->action, r->nr,
						  r->nargs, r->args);
		if (rc == -EEXIST)
			/* The same syscall, unconditionally, in two sets. */
			rc = 0;
		if (rc)
			log_error("seccomp %s: rule for %s: %s", f->who,
				  r->name, strerror(-rc));
	}
	if (rc) {
		seccomp_release(ctx);
		*err = rc;
		return NULL;
	}
	*err = 0;
	return ctx;
}

int seccomp_filter_load(const struct seccomp_filter *f)
{
	scmp_filter_ctx ctx;
	int err;

	/* A filter without no_new_privs needs CAP_SYS_ADMIN; with it, a
	 * setuid binary cannot be used to shed the filter. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	ctx = seccomp_filter_build(f, &err);
	if (!ctx)
		return err;
	err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err;
}

const struct seccomp_filter *seccomp_filter_by_name(const char *who)
{
	static const struct seccomp_filter *const all[] = {
		&seccomp_filter_sentry, &seccomp_filter_gofer,
		&seccomp_filter_stub,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i]->who, who) == 0)
			return all[i];
	return NULL;
}
