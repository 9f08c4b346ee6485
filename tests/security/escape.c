/* SPDX-License-Identifier: Apache-2.0 */
/*
 * escape.c: attempts that container escapes have made, run inside the
 * sandbox (tests/security/run-escapes.sh). Each prints what it tried and
 * what it got; each must fail harmlessly. A plain program with no cvisor
 * headers, linked statically so a busybox rootfs can hold it.
 *
 * usage: escape SECRET_PATH RUNSC_PATH HOST_PID... [--port N]
 *   SECRET_PATH  a host file outside the container's root
 *   RUNSC_PATH   the runtime binary's host path
 *   HOST_PID     host pids of cvisor's own processes (Sentry, Gofers)
 *   --port N     a TCP port listening on the host's loopback
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int failures;

/* One attempt: `ok` when it failed harmlessly. */
static void report(const char *what, long rc, int err, int ok)
{
	if (rc < 0)
		printf("%-60s -> failed: %s: %s\n", what, strerror(err),
		       ok ? "ok" : "ESCAPED");
	else
		printf("%-60s -> returned %ld: %s\n", what, rc,
		       ok ? "ok" : "ESCAPED");
	if (!ok)
		failures++;
}

/* Opening `path` must not give the secret's contents. */
static void try_read(const char *what, const char *path)
{
	char buf[256] = "", desc[512];
	int fd = open(path, O_RDONLY);
	int err = errno;
	ssize_t n = 0;

	snprintf(desc, sizeof(desc), "%s (%s)", what, path);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = 0;
	}
	report(desc, fd, err, fd < 0 || !strstr(buf, "HOST-SECRET"));
}

/* A syscall that must fail. */
#define MUST_FAIL(what, call)                                                  \
	do {                                                                   \
		long rc_ = (call);                                             \
		int err_ = errno;                                              \
		report(what, rc_, err_, rc_ < 0);                              \
		if (rc_ >= 0 && rc_ < 1024)                                    \
			close((int)rc_);                                       \
	} while (0)

int main(int argc, char **argv)
{
	const char *secret, *runsc;
	char path[4200];
	int port = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: escape SECRET RUNSC [HOST_PID...] [--port N]\n");
		return 2;
	}
	secret = argv[1];
	runsc = argv[2];
	for (int i = 3; i < argc; i++)
		if (!strcmp(argv[i], "--port") && i + 1 < argc)
			port = atoi(argv[i + 1]);
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* The host's files through the root links of procfs. */
	try_read("host file by its host path", secret);
	snprintf(path, sizeof(path), "/proc/self/root%s", secret);
	try_read("host file through /proc/self/root", path);
	snprintf(path, sizeof(path), "/proc/1/root%s", secret);
	try_read("host file through /proc/1/root", path);
	snprintf(path, sizeof(path), "/proc/self/cwd/../../../../../../..%s", secret);
	try_read("host file through .. above the root", path);
	try_read("host file through a symlink to its host path", "/escape-link");
	snprintf(path, sizeof(path), "/up%s", secret);
	try_read("host file through a symlink of ../../..", path);
	/* cvisor's own processes, by their host pids. */
	for (int i = 3; i < argc && strcmp(argv[i], "--port"); i++) {
		pid_t hp = atoi(argv[i]);
		char what[128];

		snprintf(path, sizeof(path), "/proc/%d/root%s", hp, secret);
		snprintf(what, sizeof(what), "host file through cvisor pid %d's root", hp);
		try_read(what, path);
		snprintf(path, sizeof(path), "/proc/%d/fd/0", hp);
		snprintf(what, sizeof(what), "an fd of cvisor pid %d", hp);
		{
			int fd = open(path, O_RDONLY);

			report(what, fd, errno, fd < 0);
			if (fd >= 0)
				close(fd);
		}
		snprintf(what, sizeof(what), "ptrace(PTRACE_ATTACH) cvisor pid %d", hp);
		MUST_FAIL(what, ptrace(PTRACE_ATTACH, hp, 0, 0));
		snprintf(what, sizeof(what), "kill(SIGKILL) cvisor pid %d", hp);
		/* Guest pids of this test stay small; a large number can
		 * only be the host's. */
		if (hp > 1000)
			MUST_FAIL(what, kill(hp, SIGKILL));
	}
	{
		struct {
			unsigned int bytes;
			int type;
			unsigned char f[128];
		} fh = { 128, 1, { 0 } };

		MUST_FAIL("open_by_handle_at (shocker)",
			  syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY));
	}
	/* The runtime binary (CVE-2019-5736) and /proc/self/exe. */
	MUST_FAIL("open /proc/self/exe for writing",
		  open("/proc/self/exe", O_WRONLY));
	MUST_FAIL("open the runtime binary's host path for writing",
		  open(runsc, O_WRONLY));
	snprintf(path, sizeof(path), "/proc/self/root%s", runsc);
	MUST_FAIL("open the runtime binary through /proc/self/root",
		  open(path, O_WRONLY));
	/* Mounts of host paths. A bind mount of "/" may succeed (the
	 * sandbox's root may mount inside it): it must show the container's
	 * own root, not the host's. */
	if (mount("/", "/tmp", NULL, MS_BIND, NULL) == 0) {
		snprintf(path, sizeof(path), "/tmp%s", secret);
		try_read("host file through a bind mount of /", path);
		umount2("/tmp", MNT_DETACH);
	} else {
		report("mount the host's / (bind)", -1, errno, 1);
	}
	MUST_FAIL("mount a block device", mount("/dev/sda", "/tmp", "ext4", 0, NULL));
	MUST_FAIL("mount the host's cgroup (release_agent)",
		  mount("cgroup", "/tmp", "cgroup", 0, "rdma"));
	try_read("host file after the mounts", path);
	/* Kernel attack surface that has no business in a container. */
	MUST_FAIL("keyctl(KEYCTL_JOIN_SESSION_KEYRING)", syscall(SYS_keyctl, 1, 0));
	MUST_FAIL("add_key", syscall(SYS_add_key, "user", "k", "v", 1, -3));
	{
		union bpf_attr a;

		memset(&a, 0, sizeof(a));
		a.map_type = BPF_MAP_TYPE_ARRAY;
		a.key_size = 4;
		a.value_size = 4;
		a.max_entries = 1;
		MUST_FAIL("bpf(BPF_MAP_CREATE)", syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a)));
	}
	{
		struct perf_event_attr pa;

		memset(&pa, 0, sizeof(pa));
		pa.size = sizeof(pa);
		pa.type = PERF_TYPE_SOFTWARE;
		pa.config = PERF_COUNT_SW_CPU_CLOCK;
		MUST_FAIL("perf_event_open", syscall(SYS_perf_event_open, &pa, 0, -1, -1, 0));
	}
	MUST_FAIL("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC));
	{
		struct io_uring_params p;

		memset(&p, 0, sizeof(p));
		MUST_FAIL("io_uring_setup", syscall(SYS_io_uring_setup, 4, &p));
	}
	MUST_FAIL("init_module", syscall(SYS_init_module, "", 0, ""));
	MUST_FAIL("finit_module", syscall(SYS_finit_module, 0, "", 0));
	MUST_FAIL("delete_module", syscall(SYS_delete_module, "ext4", 0));
	MUST_FAIL("kexec_load", syscall(SYS_kexec_load, 0, 0, 0, 0));
	MUST_FAIL("iopl(3)", syscall(SYS_iopl, 3));
	MUST_FAIL("open /dev/mem", open("/dev/mem", O_RDONLY));
	MUST_FAIL("open /dev/kmsg", open("/dev/kmsg", O_RDONLY));
	/* Raw network access. */
	MUST_FAIL("socket(AF_INET, SOCK_RAW)", socket(AF_INET, SOCK_RAW, IPPROTO_RAW));
	MUST_FAIL("socket(AF_PACKET, SOCK_RAW)", socket(17 /* AF_PACKET */, SOCK_RAW, 0));
	/* The Sentry answers NETLINK_ROUTE itself (the sandbox's lo, read
	 * only); no other netlink protocol reaches anything. */
	MUST_FAIL("socket(AF_NETLINK, NETLINK_AUDIT)", socket(16, SOCK_RAW, 9));
	MUST_FAIL("socket(AF_NETLINK, NETLINK_KOBJECT_UEVENT)", socket(16, SOCK_RAW, 15));
	MUST_FAIL("socket(AF_NETLINK, NETLINK_GENERIC)", socket(16, SOCK_RAW, 16));
	{
		/* RTM_NEWADDR 10.9.9.9/8 on lo, acknowledged. */
		struct {
			uint32_t len;
			uint16_t type, flags;
			uint32_t seq, pid;
			uint8_t family, prefixlen, aflags, scope;
			uint32_t index;
			uint16_t alen, atype;
			uint8_t addr[4];
		} rq = { sizeof(rq), 20, 0x1 | 0x4 | 0x400, 1, 0, 2, 8, 0, 0, 1,
			 8, 2, { 10, 9, 9, 9 } };
		struct {
			uint32_t len;
			uint16_t type, flags;
			uint32_t seq, pid;
			int32_t error;
		} ack = { 0 };
		int s = socket(16, SOCK_RAW, 0);
		long rc = -1;

		if (s >= 0 && send(s, &rq, sizeof(rq), 0) == sizeof(rq) &&
		    recv(s, &ack, sizeof(ack), MSG_DONTWAIT) >= (long)sizeof(ack))
			rc = ack.type == 2 && ack.error < 0 ? -1 : 0;
		report("add an address over rtnetlink", rc, ack.error < 0 ? -ack.error : errno,
		       rc < 0);
		if (s >= 0)
			close(s);
	}
	if (port) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons((uint16_t)port),
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int s = socket(AF_INET, SOCK_STREAM, 0);
		long rc = s < 0 ? -1 : connect(s, (struct sockaddr *)&sa, sizeof(sa));
		char what[96];

		snprintf(what, sizeof(what), "connect to the host's 127.0.0.1:%d", port);
		report(what, rc, errno, rc < 0);
		if (s >= 0)
			close(s);
	}
	printf("%s: %d escape%s\n", failures ? "FAIL" : "PASS", failures,
	       failures == 1 ? "" : "s");
	return failures ? 1 : 0;
}
