/* SPDX-License-Identifier: Apache-2.0 */
/* boot_config.c: see boot_config.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "gen/linux_flags.h"
#include "lib/log.h"
#include "runsc/oci/boot_config.h"
#include "sentry/vfs/vfs.h"

static unsigned mnt_flags(unsigned long ms)
{
	return ((ms & MS_RDONLY) ? MNT_RDONLY : 0) |
	       ((ms & MS_NOSUID) ? MNT_NOSUID : 0) |
	       ((ms & MS_NODEV) ? MNT_NODEV : 0) |
	       ((ms & MS_NOEXEC) ? MNT_NOEXEC : 0);
}

/* The Gofer fd runsc create started for mounts[i], or -1. */
static int gofer_for(size_t i, const size_t *gofer_mounts,
		     const int *gofer_fds, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (gofer_mounts[k] == i)
			return gofer_fds[k];
	return -1;
}

int oci_boot_config(const struct oci_config *oci, const size_t *gofer_mounts,
		    const int *gofer_fds, size_t ngofer_fds, const int stdio[3],
		    struct sentry_config *cfg, runsc_error_t *err)
{
	static struct sentry_process p;
	struct sentry_rlimit *rl;
	struct sentry_mount *m;
	struct sentry_sysctl *sc;
	size_t nm = 0;
	const struct oci_process *op = &oci->process;

	memset(&p, 0, sizeof(p));
	p.argv = op->args;
	p.envp = op->env;
	p.cwd = op->cwd;
	memcpy(p.stdio, stdio, sizeof(p.stdio));
	p.uid = op->uid;
	p.gid = op->gid;
	p.groups = op->additional_gids;
	p.ngroups = op->nadditional_gids;
	p.has_caps = op->has_caps;
	p.cap_bounding = op->caps.bounding;
	p.cap_effective = op->caps.effective;
	p.cap_inheritable = op->caps.inheritable;
	p.cap_permitted = op->caps.permitted;
	p.cap_ambient = op->caps.ambient;
	p.no_new_privs = op->no_new_privileges;
	p.has_umask = op->has_umask;
	p.umask = op->umask;
	rl = calloc(op->nrlimits + 1, sizeof(*rl));
	m = calloc(oci->nmounts + 1, sizeof(*m));
	sc = calloc(oci->nsysctl + 1, sizeof(*sc));
	if (!rl || !m || !sc) {
		free(rl);
		free(m);
		free(sc);
		return runsc_error_make(err, ENOMEM, "boot config");
	}
	for (size_t i = 0; i < oci->nsysctl; i++)
		sc[i] = (struct sentry_sysctl){ oci->sysctl[i].key,
						oci->sysctl[i].value };
	for (size_t i = 0; i < op->nrlimits; i++)
		rl[i] = (struct sentry_rlimit){ op->rlimits[i].resource,
						op->rlimits[i].soft,
						op->rlimits[i].hard };
	p.rlimits = rl;
	p.nrlimits = op->nrlimits;
	for (size_t i = 0; i < oci->nmounts; i++) {
		const struct oci_mount *om = &oci->mounts[i];
		struct sentry_mount *sm = &m[nm];

		sm->dest = om->destination;
		sm->flags = mnt_flags(om->flags);
		sm->mode = om->has_mode ? om->mode : 0;
		switch (om->kind) {
		case OCI_MOUNT_BIND:
			sm->gofer_fd = gofer_for(i, gofer_mounts, gofer_fds,
						 ngofer_fds);
			if (sm->gofer_fd < 0) {
				/* runsc create logged why (binds.c). */
				log_debug("bind mount of %s on %s: not provided",
					  om->source, om->destination);
				continue;
			}
			sm->kind = SENTRY_MOUNT_GOFER;
			/* Its Gofer serves it writable unless "ro" (sandbox.c). */
			sm->writable = !(om->flags & MS_RDONLY);
			break;
		case OCI_MOUNT_TMPFS:
			sm->kind = SENTRY_MOUNT_TMPFS;
			break;
		case OCI_MOUNT_PROC:
			sm->kind = SENTRY_MOUNT_PROC;
			break;
		case OCI_MOUNT_DEV:
			sm->kind = SENTRY_MOUNT_DEV;
			break;
		case OCI_MOUNT_SYSFS:
			sm->kind = SENTRY_MOUNT_SYS;
			break;
		case OCI_MOUNT_DEVPTS:
			/* The Sentry's devpts is always a new instance with
			 * ptmxmode=0666, mode=0620, gid=5 (what runc's
			 * default config and podman ask for). */
			sm->kind = SENTRY_MOUNT_DEVPTS;
			break;
		default:
			/* mqueue, cgroup, cgroup2: accepted, not mounted. The
			 * Sentry has no POSIX message queues, and a cgroup
			 * tree inside would describe the host's, not the
			 * sandbox's, resources (runsc applies the limits to
			 * the sandbox as a whole). */
			log_debug("mount on %s (%s): not provided in the sandbox",
				  om->destination, om->type ? om->type : "?");
			continue;
		}
		nm++;
	}
	cfg->process = &p;
	cfg->argv = op->args;
	cfg->envp = op->env;
	cfg->cwd = op->cwd;
	cfg->hostname = oci->hostname ? oci->hostname : "cvisor";
	cfg->domainname = oci->domainname;
	cfg->mounts = m;
	cfg->nmounts = nm;
	cfg->sysctls = sc;
	cfg->nsysctls = oci->nsysctl;
	cfg->oci_mounts = true;
	return 0;
}
