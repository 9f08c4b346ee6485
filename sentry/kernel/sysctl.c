/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysctl.c: see sysctl.h. Only sysctls with an effect inside the sandbox
 * are here: the names of its UTS namespace and the port below which its
 * netstack asks for CAP_NET_BIND_SERVICE. The rest of what an OCI config
 * may set (SysV IPC and mqueue limits, the other net.* knobs) describes
 * facilities the Sentry does not have, so the caller logs and leaves them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/sysctl.h"

static int unprivileged_port_start = 1024;

int sysctl_unprivileged_port_start(void)
{
	return unprivileged_port_start;
}

/* A UTS name as proc_dostring stores it: up to the first newline, cut to
 * what the field holds. */
static int set_string(char *dst, size_t size, const char *value)
{
	size_t n = strcspn(value, "\n");

	if (n >= size)
		n = size - 1;
	memcpy(dst, value, n);
	dst[n] = '\0';
	return 0;
}

/* ipv4_privileged_ports: 0..65535, and (with the default local port
 * range, 32768-60999) below its start. */
static int set_port_start(const char *value)
{
	char *end;
	long v = strtol(value, &end, 10);

	while (*end == '\n' || *end == ' ')
		end++;
	if (end == value || *end || v < 0 || v >= 32768)
		return -EINVAL;
	unprivileged_port_start = (int)v;
	return 0;
}

int sysctl_set(const char *key, const char *value)
{
	char k[128];

	/* runc writes /proc/sys/<key with '.' as '/'>: both spellings. */
	if (strlen(key) >= sizeof(k))
		return -ENOENT;
	strcpy(k, key);
	for (char *p = k; *p; p++)
		if (*p == '/')
			*p = '.';
	if (!strcmp(k, "kernel.hostname"))
		return set_string(kernel->hostname, sizeof(kernel->hostname),
				  value);
	if (!strcmp(k, "kernel.domainname"))
		return set_string(kernel->domainname,
				  sizeof(kernel->domainname), value);
	if (!strcmp(k, "net.ipv4.ip_unprivileged_port_start"))
		return set_port_start(value);
	return -ENOENT;
}
