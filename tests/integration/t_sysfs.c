/* t_sysfs: what C libraries and runtimes read from /sys: the CPU ranges
 * (online, possible, present: "0" or "0-N" as Linux prints lists) agreeing
 * with sysconf and sched_getaffinity, kernel_max, per-CPU topology
 * (core_id, physical_package_id, thread_siblings_list, core_siblings_list),
 * /sys/fs/cgroup as a directory, sysfs's st_size of 4096 for attribute
 * files, its magic number, and ENOENT for names that are not there.
 * Values that depend on the machine are compared with each other, never
 * printed. */
#include "itest.h"

#include <dirent.h>
#include <sched.h>
#include <sys/vfs.h>

#define SYSFS_MAGIC 0x62656572

/* The first line of a file, without its newline; NULL if unreadable. */
static char *line(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	if (!fgets(buf, sizeof buf, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* Count the CPUs of a list like "0-3,5"; -1 if malformed. */
static int count_list(const char *s)
{
	int n = 0;
	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b = a;
		if (end == s)
			return -1;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s || b < a)
				return -1;
		}
		n += (int)(b - a + 1);
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return n;
}

/* Does the list contain cpu c? */
static int list_has(const char *s, int c)
{
	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b = a;
		if (end == s)
			return 0;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
		}
		if (c >= a && c <= b)
			return 1;
		s = end;
		if (*s == ',')
			s++;
	}
	return 0;
}

int main(void)
{
	it_begin(10);
	const char *cpu = "/sys/devices/system/cpu";
	char p[256];
	struct stat st;
	struct statfs sf;

	CHECK(statfs("/sys", &sf) == 0 && sf.f_type == SYSFS_MAGIC, "/sys is a sysfs");
	CHECK(stat("/sys", &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0, "/sys is a directory owned by root");

	long onln = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;
	int aff = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : -1;
	char *s;
	snprintf(p, sizeof p, "%s/online", cpu);
	s = line(p);
	CHECKF(s && count_list(s) == onln, "online counts sysconf(_SC_NPROCESSORS_ONLN) CPUs", "'%s' vs %ld",
	       s ? s : "(unreadable)", onln);
	CHECKF(s && count_list(s) >= aff, "online covers the affinity mask", "'%s' vs %d", s ? s : "", aff);
	CHECK(s && strncmp(s, "0", 1) == 0 && (s[1] == 0 || s[1] == '-' || s[1] == ','), "online starts at CPU 0");
	int online = s ? count_list(s) : -1;
	snprintf(p, sizeof p, "%s/possible", cpu);
	s = line(p);
	CHECK(s && count_list(s) >= online, "possible is a list covering online");
	snprintf(p, sizeof p, "%s/present", cpu);
	s = line(p);
	CHECK(s && count_list(s) >= online, "present is a list covering online");
	snprintf(p, sizeof p, "%s/kernel_max", cpu);
	s = line(p);
	CHECK(s && atoi(s) >= online - 1, "kernel_max is at least the last CPU");
	CHECK(stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 4096 && (st.st_mode & 0444) == 0444,
	      "attribute files are readable and report st_size 4096");

	int topo_ok = 1;
	for (int c = 0; c < online; c++) {
		char *v;
		snprintf(p, sizeof p, "%s/cpu%d/topology/core_id", cpu, c);
		v = line(p);
		if (!v || *v < '0' || *v > '9')
			topo_ok = 0;
		snprintf(p, sizeof p, "%s/cpu%d/topology/physical_package_id", cpu, c);
		v = line(p);
		if (!v || atoi(v) < 0)
			topo_ok = 0;
		snprintf(p, sizeof p, "%s/cpu%d/topology/thread_siblings_list", cpu, c);
		v = line(p);
		if (!v || count_list(v) < 1 || !list_has(v, c))
			topo_ok = 0;
		snprintf(p, sizeof p, "%s/cpu%d/topology/core_siblings_list", cpu, c);
		v = line(p);
		if (!v || count_list(v) < 1 || !list_has(v, c))
			topo_ok = 0;
	}
	CHECK(topo_ok, "every online CPU has core_id, physical_package_id and sibling lists containing itself");
	snprintf(p, sizeof p, "%s/cpu%d", cpu, online + 4096);
	EXPECT_ERRNO(stat(p, &st), ENOENT, "a CPU past the last: ENOENT");
	snprintf(p, sizeof p, "%s/no-such-file", cpu);
	EXPECT_ERRNO(stat(p, &st), ENOENT, "a name that is not there: ENOENT");
	CHECK(stat("/sys/fs/cgroup", &st) == 0 && S_ISDIR(st.st_mode), "/sys/fs/cgroup is a directory");

	/* A listing of the cpu directory shows the range files and cpu0. */
	{
		DIR *d = opendir(cpu);
		int seen = 0;
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (!strcmp(e->d_name, "online") && e->d_type == DT_REG)
				seen |= 1;
			if (!strcmp(e->d_name, "cpu0") && e->d_type == DT_DIR)
				seen |= 2;
			if (!strcmp(e->d_name, "possible"))
				seen |= 4;
		}
		if (d)
			closedir(d);
		EXPECT_EQ(seen, 7, "readdir lists online, possible and cpu0 with their types");
	}
	/* Reads at an offset and in pieces. */
	{
		snprintf(p, sizeof p, "%s/online", cpu);
		int fd = open(p, O_RDONLY);
		char a[64] = {0}, b[64] = {0};
		ssize_t n = read(fd, a, sizeof a - 1);
		ssize_t m = pread(fd, b, sizeof b - 1, 1);
		CHECK(n > 1 && m == n - 1 && !memcmp(a + 1, b, (size_t)m), "pread at an offset");
		CHECK(read(fd, a, sizeof a) == 0, "then end of file");
		close(fd);
	}
	return it_end();
}
