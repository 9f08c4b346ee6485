/* t_procfs: the /proc files programs actually read (/proc/self/exe, cmdline,
 * environ, maps, status, stat, fd, cwd, auxv, task, /proc/<child>, cpuinfo,
 * meminfo, ...) agree with what the syscalls say, because the Sentry
 * synthesises all of /proc. */
#include "itest.h"

#include <dirent.h>
#include <elf.h>
#include <sys/auxv.h>
#include <pthread.h>

extern char **environ;

static int helper_exe(char **argv)
{
	char rp[PATH_MAX], exe[PATH_MAX];
	if (!realpath(argv[0], rp))
		return 1;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return 2;
	exe[n] = 0;
	return strcmp(rp, exe) == 0 ? 0 : 3;
}

static char *slurp(const char *path, size_t *len)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDONLY);
	size_t off = 0;
	if (fd < 0)
		return NULL;
	ssize_t n;
	while (off < sizeof buf - 1 && (n = read(fd, buf + off, sizeof buf - 1 - off)) > 0)
		off += n;
	close(fd);
	buf[off] = 0;
	if (len)
		*len = off;
	return buf;
}

static volatile int thread_go;
static void *idle_thread(void *arg)
{
	(void)arg;
	while (!thread_go)
		usleep(1000);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "exe-check") == 0)
		return helper_exe(argv);
	it_begin(10);
	pid_t me = getpid();
	char exe[PATH_MAX];
	ssize_t en = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[en > 0 ? en : 0] = 0;
	CHECK(en > 0 && exe[0] == '/', "readlink /proc/self/exe gives an absolute path");
	{
		struct stat a, b;
		CHECK(stat(exe, &a) == 0 && stat("/proc/self/exe", &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev,
		      "/proc/self/exe is the running binary");
	}
	{
		/* exec ourselves through a path containing "." and ".." */
		char twisted[PATH_MAX + 16];
		char *slash = strrchr(exe, '/');
		/* dir/./name: realpath removes the "." */
		snprintf(twisted, sizeof twisted, "%.*s/./%s", (int)(slash - exe), exe, slash + 1);
		pid_t c = it_fork();
		if (c == 0) {
			char *av[] = {twisted, "exe-check", NULL};
			char *ev[] = {NULL};
			execve(twisted, av, ev);
			_exit(99);
		}
		EXPECT_EXIT(it_wait(c), 0, "/proc/self/exe equals realpath of the path exec'd");
	}
	{
		readlink("/proc/self/exe", exe, sizeof exe - 1);
		char self[64];
		ssize_t n = readlink("/proc/self", self, sizeof self - 1);
		self[n > 0 ? n : 0] = 0;
		CHECK(atoi(self) == me, "/proc/self links to our pid");
		n = readlink("/proc/thread-self", self, sizeof self - 1);
		self[n > 0 ? n : 0] = 0;
		char want[64];
		snprintf(want, sizeof want, "%d/task/%d", me, me);
		CHECK(strcmp(self, want) == 0, "/proc/thread-self links to pid/task/tid");
	}

	/* cmdline and environ */
	{
		size_t len;
		char *c = slurp("/proc/self/cmdline", &len);
		char want[8192];
		size_t wl = 0;
		for (int i = 0; i < argc && wl < sizeof want; i++) {
			size_t l = strlen(argv[i]) + 1;
			memcpy(want + wl, argv[i], l);
			wl += l;
		}
		CHECK(c && len == wl && memcmp(c, want, wl) == 0, "/proc/self/cmdline is argv joined by NULs");
		c = slurp("/proc/self/environ", &len);
		wl = 0;
		for (char **e = environ; *e && wl < sizeof want - 4096; e++) {
			size_t l = strlen(*e) + 1;
			memcpy(want + wl, *e, l);
			wl += l;
		}
		CHECK(c && len == wl && memcmp(c, want, wl) == 0, "/proc/self/environ is envp joined by NULs");
	}

	/* maps */
	{
		char *m = slurp("/proc/self/maps", NULL);
		uintptr_t fn = (uintptr_t)&main;
		int found = 0, stack = 0;
		char *line = m;
		while (line && *line) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = 0;
			unsigned long lo, hi;
			char perms[8], path[PATH_MAX];
			path[0] = 0;
			int k = sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095s", &lo, &hi, perms, path);
			if (k >= 3 && fn >= lo && fn < hi && strcmp(perms, "r-xp") == 0 && strcmp(path, exe) == 0)
				found = 1;
			if (k >= 4 && strcmp(path, "[stack]") == 0 && (uintptr_t)&found >= lo && (uintptr_t)&found < hi)
				stack = 1;
			line = nl ? nl + 1 : NULL;
		}
		CHECK(found, "/proc/self/maps: main() lies in an r-xp mapping of the exe path");
		CHECK(stack, "/proc/self/maps: a local variable lies in [stack]");
	}

	/* status and stat */
	{
		char *s = slurp("/proc/self/status", NULL);
		char comm[32] = {0};
		it_read_file("/proc/self/comm", comm, sizeof comm);
		char *nl = strchr(comm, '\n');
		if (nl)
			*nl = 0;
		char want[128];
		snprintf(want, sizeof want, "Name:\t%s\n", comm);
		CHECK(s && strncmp(s, want, strlen(want)) == 0, "/proc/self/status starts with Name: comm");
		snprintf(want, sizeof want, "\nPid:\t%d\n", me);
		CHECK(s && strstr(s, want), "/proc/self/status Pid: equals getpid()");
		snprintf(want, sizeof want, "\nPPid:\t%d\n", getppid());
		CHECK(s && strstr(s, want), "/proc/self/status PPid: equals getppid()");
		snprintf(want, sizeof want, "\nTgid:\t%d\n", me);
		CHECK(s && strstr(s, want), "/proc/self/status Tgid: equals getpid()");
		uid_t r, e, sv;
		getresuid(&r, &e, &sv);
		snprintf(want, sizeof want, "\nUid:\t%d\t%d\t%d\t%d\n", r, e, sv, e);
		CHECK(s && strstr(s, want), "/proc/self/status Uid: real effective saved fs");
		CHECK(s && strstr(s, "\nThreads:\t1\n"), "/proc/self/status Threads: 1");
		CHECK(s && strstr(s, "\nState:\tR (running)\n"), "/proc/self/status State: R (running)");
		CHECK(s && strstr(s, "\nVmRSS:"), "/proc/self/status has VmRSS");

		s = slurp("/proc/self/stat", NULL);
		int pid = 0, ppid = 0, pgrp = 0, sid = 0;
		char state = 0;
		char name[64] = {0};
		char *lp = s ? strchr(s, '(') : NULL, *rp = s ? strrchr(s, ')') : NULL;
		if (lp && rp) {
			pid = atoi(s);
			snprintf(name, sizeof name, "%.*s", (int)(rp - lp - 1), lp + 1);
			sscanf(rp + 2, "%c %d %d %d", &state, &ppid, &pgrp, &sid);
		}
		CHECK(pid == me, "/proc/self/stat field 1 is the pid");
		CHECK(strcmp(name, comm) == 0, "/proc/self/stat field 2 is (comm)");
		CHECK(state == 'R' && ppid == getppid() && pgrp == getpgrp() && sid == getsid(0),
		      "/proc/self/stat state R, ppid, pgrp, session");
	}

	/* fd directory */
	{
		char dpath[64];
		int extra = open("/etc/passwd", O_RDONLY);
		DIR *d = opendir("/proc/self/fd");
		int listed[1024] = {0}, nlisted = 0, bad = 0;
		struct dirent *de;
		while (d && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			int fd = atoi(de->d_name);
			if (fd >= 0 && fd < 1024)
				listed[fd] = 1;
			else
				bad = 1;
			nlisted++;
		}
		int consistent = !bad;
		for (int fd = 0; fd < 1024; fd++) {
			int open_now = fcntl(fd, F_GETFD) != -1;
			if (open_now != listed[fd])
				consistent = 0;
		}
		if (d)
			closedir(d);
		CHECK(consistent && listed[extra], "/proc/self/fd lists exactly the open fds (incl. a new one)");
		snprintf(dpath, sizeof dpath, "/proc/self/fd/%d", extra);
		char target[PATH_MAX];
		ssize_t n = readlink(dpath, target, sizeof target - 1);
		target[n > 0 ? n : 0] = 0;
		CHECK(strcmp(target, "/etc/passwd") == 0, "readlink /proc/self/fd/N gives the file path");
		int p[2];
		if (pipe(p) == 0) {
			snprintf(dpath, sizeof dpath, "/proc/self/fd/%d", p[0]);
			n = readlink(dpath, target, sizeof target - 1);
			target[n > 0 ? n : 0] = 0;
			CHECK(strncmp(target, "pipe:[", 6) == 0, "pipe fds show as pipe:[inode]");
			close(p[0]);
			close(p[1]);
		}
		snprintf(dpath, sizeof dpath, "/proc/self/fdinfo/%d", extra);
		char info[512] = {0};
		lseek(extra, 7, SEEK_SET);
		it_read_file(dpath, info, sizeof info);
		CHECK(strncmp(info, "pos:\t7\n", 7) == 0, "/proc/self/fdinfo/N shows pos");
		close(extra);
		char cwd[PATH_MAX], link[PATH_MAX];
		n = readlink("/proc/self/cwd", link, sizeof link - 1);
		link[n > 0 ? n : 0] = 0;
		CHECK(getcwd(cwd, sizeof cwd) && strcmp(cwd, link) == 0, "/proc/self/cwd equals getcwd()");
		n = readlink("/proc/self/root", link, sizeof link - 1);
		link[n > 0 ? n : 0] = 0;
		CHECK(strcmp(link, "/") == 0, "/proc/self/root is /");
	}

	/* auxv */
	{
		size_t len;
		char *a = slurp("/proc/self/auxv", &len);
		int pagesz = 0, phdr = 0, entry = 0, end = 0;
		for (size_t off = 0; a && off + 16 <= len; off += 16) {
			uint64_t t, v;
			memcpy(&t, a + off, 8);
			memcpy(&v, a + off + 8, 8);
			if (t == AT_PAGESZ && v == 4096)
				pagesz = 1;
			if (t == AT_PHDR && v == getauxval(AT_PHDR))
				phdr = 1;
			if (t == AT_ENTRY && v == getauxval(AT_ENTRY))
				entry = 1;
			if (t == AT_NULL)
				end = 1;
		}
		CHECK(pagesz && phdr && entry && end, "/proc/self/auxv matches getauxval and ends with AT_NULL");
	}

	/* tasks */
	{
		pthread_t t;
		pthread_create(&t, NULL, idle_thread, NULL);
		DIR *d = opendir("/proc/self/task");
		int n = 0, has_main = 0;
		struct dirent *de;
		while (d && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			n++;
			if (atoi(de->d_name) == me)
				has_main = 1;
		}
		if (d)
			closedir(d);
		char *s = slurp("/proc/self/status", NULL);
		int threads2 = s && strstr(s, "\nThreads:\t2\n");
		thread_go = 1;
		pthread_join(t, NULL);
		CHECK(n == 2 && has_main && threads2, "/proc/self/task lists both threads; Threads: 2");
	}

	/* another process */
	{
		int p[2];
		if (pipe(p) < 0)
			return 1;
		pid_t c = it_fork();
		if (c == 0) {
			char ch;
			close(p[1]);
			if (read(p[0], &ch, 1) < 0)
				_exit(1);
			_exit(0);
		}
		close(p[0]);
		char path[64], buf[4096];
		snprintf(path, sizeof path, "/proc/%d/stat", c);
		int ok = 0;
		for (int i = 0; i < 2000 && !ok; i++) {
			buf[0] = 0;
			it_read_file(path, buf, sizeof buf);
			char *rp = strrchr(buf, ')');
			if (rp && rp[2] == 'S')
				ok = 1;
			else
				usleep(1000);
		}
		CHECK(ok, "/proc/<child>/stat shows a blocked child in state S");
		snprintf(path, sizeof path, "/proc/%d/status", c);
		it_read_file(path, buf, sizeof buf);
		char want[64];
		snprintf(want, sizeof want, "\nPPid:\t%d\n", me);
		CHECK(strstr(buf, want) != NULL, "/proc/<child>/status PPid is us");
		close(p[1]);
		it_wait(c);
		snprintf(path, sizeof path, "/proc/%d", c);
		struct stat st;
		EXPECT_ERRNO(stat(path, &st), ENOENT, "/proc/<pid> disappears after reaping");
	}

	/* system-wide files */
	{
		char *s = slurp("/proc/cpuinfo", NULL);
		CHECK(s && strncmp(s, "processor\t: 0", 13) == 0, "/proc/cpuinfo starts with processor : 0");
		s = slurp("/proc/meminfo", NULL);
		CHECK(s && strncmp(s, "MemTotal:", 9) == 0 && strstr(s, "\nMemFree:"), "/proc/meminfo has MemTotal, MemFree");
		s = slurp("/proc/stat", NULL);
		CHECK(s && strncmp(s, "cpu ", 4) == 0, "/proc/stat starts with the cpu line");
		s = slurp("/proc/version", NULL);
		CHECK(s && strncmp(s, "Linux version ", 14) == 0, "/proc/version starts with Linux version");
		s = slurp("/proc/uptime", NULL);
		double up = 0, idle = 0;
		CHECK(s && sscanf(s, "%lf %lf", &up, &idle) == 2 && up > 0, "/proc/uptime has two numbers");
		s = slurp("/proc/loadavg", NULL);
		double l1, l5, l15;
		CHECK(s && sscanf(s, "%lf %lf %lf", &l1, &l5, &l15) == 3, "/proc/loadavg has three load averages");
		s = slurp("/proc/sys/kernel/pid_max", NULL);
		CHECK(s && atoi(s) > 0, "/proc/sys/kernel/pid_max readable");
		s = slurp("/proc/filesystems", NULL);
		CHECK(s && strstr(s, "proc") && strstr(s, "tmpfs"), "/proc/filesystems lists proc and tmpfs");
		s = slurp("/proc/self/mounts", NULL);
		CHECK(s && strstr(s, " /proc proc "), "/proc/self/mounts shows /proc");
	}
	return it_end();
}
