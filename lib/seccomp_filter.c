/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp_filter.c: turn a generated rule table into a loaded filter.
 *
 * The policy is data (spec/seccomp/); this file has no opinion about
 * what is allowed, only how a table becomes BPF.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/seccomp_filter.h"

/* Add a table's rules to a filter being built; 0 or a libseccomp error. */
static int add_rules(scmp_filter_ctx ctx, const struct seccomp_filter *f)
{
	int rc = 0;

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
	return rc;
}

scmp_filter_ctx seccomp_filter_build(const struct seccomp_filter *f, int *err)
{
	return seccomp_filter_build_with(f, NULL, err);
}

scmp_filter_ctx seccomp_filter_build_with(const struct seccomp_filter *f,
					  const struct seccomp_filter *extra,
					  int *err)
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
	if (!rc)
		rc = add_rules(ctx, f);
	if (!rc && extra)
		rc = add_rules(ctx, extra);
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
	return seccomp_filter_load_with(f, NULL);
}

int seccomp_filter_load_with(const struct seccomp_filter *f,
			     const struct seccomp_filter *extra)
{
	scmp_filter_ctx ctx;
	int err;

	/* A filter without no_new_privs needs CAP_SYS_ADMIN; with it, a
	 * setuid binary cannot be used to shed the filter. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	ctx = seccomp_filter_build_with(f, extra, &err);
	if (!ctx)
		return err;
	err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err;
}

int seccomp_filter_export(const struct seccomp_filter *f, struct sock_fprog *out)
{
	struct stat st;
	scmp_filter_ctx ctx;
	int fd, err;

	ctx = seccomp_filter_build(f, &err);
	if (!ctx)
		return err;
	fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
	if (fd < 0) {
		seccomp_release(ctx);
		return -errno;
	}
	err = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (!err && fstat(fd, &st) < 0)
		err = -errno;
	if (!err && (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) ||
		     st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS))
		err = -E2BIG;
	if (!err) {
		out->filter = malloc((size_t)st.st_size);
		out->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
		if (!out->filter)
			err = -ENOMEM;
		else if (pread(fd, out->filter, (size_t)st.st_size, 0) != st.st_size)
			err = -EIO;
	}
	close(fd);
	return err;
}

int seccomp_filter_install(const struct sock_fprog *prog)
{
	if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0)
		return -errno;
	return 0;
}

const struct seccomp_filter *seccomp_filter_by_name(const char *who)
{
	static const struct seccomp_filter *const all[] = {
		&seccomp_filter_sentry, &seccomp_filter_sentry_hostnet,
		&seccomp_filter_gofer,
		&seccomp_filter_gofer_rw, &seccomp_filter_stub,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i]->who, who) == 0)
			return all[i];
	return NULL;
}
