/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysinfo.h: facts about the machine the sandbox reports (uname, sysinfo,
 * /proc/cpuinfo, /proc/meminfo), read from the host once at start-up,
 * before the Sentry's seccomp filter forbids looking.
 */
#ifndef CVISOR_SYSINFO_H
#define CVISOR_SYSINFO_H

#include <stdint.h>

/* The Linux version the Sentry implements, as uname reports it. */
#define SYSINFO_RELEASE "6.1.0"
#define SYSINFO_VERSION "#1 SMP cvisor"
#define SYSINFO_MAX_CPUS 1024

struct sysinfo_mem {
	uint64_t total;  /* bytes the sandbox may use */
	uint64_t free;
};

/* Read the host's facts (call once, before seccomp). */
void sysinfo_init(void);
unsigned sysinfo_ncpus(void);
void sysinfo_memory(struct sysinfo_mem *);
/* The host's /proc/cpuinfo text, captured at start-up (may be empty). */
const char *sysinfo_cpuinfo(void);

#endif
