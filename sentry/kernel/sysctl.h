/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysctl.h: the sysctls the Sentry models, set before the first process
 * starts (an OCI config's linux.sysctl) and shown under /proc/sys.
 */
#ifndef CVISOR_KERNEL_SYSCTL_H
#define CVISOR_KERNEL_SYSCTL_H

/*
 * Set `key` ("kernel.hostname", or "kernel/hostname" as runc also
 * accepts) to `value` as a write of it to /proc/sys would. Returns 0,
 * -ENOENT when the Sentry does not model that sysctl, or -EINVAL for a
 * value Linux would refuse. Kernel lock held (or no task running yet).
 */
int sysctl_set(const char *key, const char *value);

/* net.ipv4.ip_unprivileged_port_start: the first port an unprivileged
 * socket may bind (1024 unless set). */
int sysctl_unprivileged_port_start(void);

#endif
