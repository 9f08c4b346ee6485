/* SPDX-License-Identifier: Apache-2.0 */
/* sysinfo.c: see sysinfo.h. */
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/sysinfo.h"
#include "sentry/mm/memfile.h"

static unsigned ncpus = 1;
static uint64_t total_ram;
static char *cpuinfo;

void sysinfo_init(void)
{
	cpu_set_t set;
	struct sysinfo si;
	int fd;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		ncpus = (unsigned)CPU_COUNT(&set);
	if (sysinfo(&si) == 0)
		total_ram = (uint64_t)si.totalram * si.mem_unit;
	fd = open("/proc/cpuinfo", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		size_t cap = 1 << 16, len = 0;
		char *buf = malloc(cap + 1);
		ssize_t n;

		while (buf && (n = read(fd, buf + len, cap - len)) > 0) {
			len += (size_t)n;
			if (len == cap) {
				char *nb = realloc(buf, cap * 2 + 1);

				if (!nb)
					break;
				buf = nb;
				cap *= 2;
			}
		}
		if (buf)
			buf[len] = '\0';
		cpuinfo = buf;
		close(fd);
	}
}

unsigned sysinfo_ncpus(void)
{
	return ncpus;
}

void sysinfo_memory(struct sysinfo_mem *m)
{
	struct memfile_stats st = { 0 };

	if (kernel && kernel->memfile)
		memfile_stats(kernel->memfile, &st);
	uint64_t used = st.used_pages * 4096;

	m->total = total_ram;
	m->free = total_ram > used ? total_ram - used : 0;
}

const char *sysinfo_cpuinfo(void)
{
	return cpuinfo ? cpuinfo : "";
}
