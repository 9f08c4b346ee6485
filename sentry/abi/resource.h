/* SPDX-License-Identifier: Apache-2.0 */
/* abi/resource.h: struct rusage, rlimit, timeval/timespec as the guest sees them. */
#ifndef CVISOR_ABI_RESOURCE_H
#define CVISOR_ABI_RESOURCE_H

#include <stdint.h>

struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct linux_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

struct linux_rusage {
	struct linux_timeval ru_utime;
	struct linux_timeval ru_stime;
	int64_t ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt;
	int64_t ru_nswap, ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv;
	int64_t ru_nsignals, ru_nvcsw, ru_nivcsw;
};

struct linux_rlimit {
	uint64_t rlim_cur;
	uint64_t rlim_max;
};

#define LINUX_RLIM_INFINITY (~0ULL)

static inline struct linux_timeval linux_ns_to_timeval(int64_t ns)
{
	return (struct linux_timeval){ ns / 1000000000LL,
				       (ns % 1000000000LL) / 1000 };
}

static inline struct linux_timespec linux_ns_to_timespec(int64_t ns)
{
	return (struct linux_timespec){ ns / 1000000000LL, ns % 1000000000LL };
}

/* A guest timespec as nanoseconds; -EINVAL when out of range. */
static inline int64_t linux_timespec_to_ns(const struct linux_timespec *ts)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000LL)
		return -22;
	if (ts->tv_sec > (INT64_MAX - ts->tv_nsec) / 1000000000LL)
		return INT64_MAX;
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

#endif
