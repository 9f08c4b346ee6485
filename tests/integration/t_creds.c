/* t_creds: credentials (uid/gid getters agree, supplementary groups, set*id
 * rules and capability effects, capget version negotiation), written to print
 * the same lines whether or not the caller is privileged, because the Sentry
 * keeps its own credential model. */
#include "itest.h"

#include <grp.h>
#include <linux/capability.h>
#include <sys/fsuid.h>

static int capget_raw(uint32_t version, pid_t pid, struct __user_cap_data_struct *d,
                      uint32_t *version_out)
{
	struct __user_cap_header_struct h = {version, pid};
	int r = (int)syscall(SYS_capget, &h, d);
	if (version_out)
		*version_out = h.version;
	return r;
}

static uint64_t caps_eff(void)
{
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof d);
	capget_raw(_LINUX_CAPABILITY_VERSION_3, 0, d, NULL);
	return d[0].effective | ((uint64_t)d[1].effective << 32);
}
static uint64_t caps_perm(void)
{
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof d);
	capget_raw(_LINUX_CAPABILITY_VERSION_3, 0, d, NULL);
	return d[0].permitted | ((uint64_t)d[1].permitted << 32);
}

int main(void)
{
	it_begin(10);
	uid_t r, e, s;
	gid_t gr, ge, gs;
	EXPECT_EQ(getresuid(&r, &e, &s), 0, "getresuid");
	CHECK(r == getuid() && e == geteuid(), "getresuid agrees with getuid/geteuid");
	EXPECT_EQ(getresgid(&gr, &ge, &gs), 0, "getresgid");
	CHECK(gr == getgid() && ge == getegid(), "getresgid agrees with getgid/getegid");
	CHECK(setfsuid(-1) == (int)e, "fsuid equals euid (setfsuid(-1) query)");
	CHECK(setfsgid(-1) == (int)ge, "fsgid equals egid (setfsgid(-1) query)");

	int n = getgroups(0, NULL);
	CHECK(n >= 0, "getgroups(0) returns the count");
	{
		gid_t g[256];
		int m = getgroups(256, g);
		EXPECT_EQ(m, n, "getgroups returns the same count");
		/* getgroups(0) is the count query, so a too-small buffer needs n >= 2 */
		int small_ok = n < 2 || (getgroups(n - 1, g) == -1 && errno == EINVAL);
		CHECK(small_ok, "getgroups with a too small buffer: EINVAL");
	}

	/* capget version negotiation. */
	{
		struct __user_cap_data_struct d[2];
		uint32_t v = 0;
		int rr = capget_raw(0, 0, d, &v);
		int err = errno;
		CHECK(rr == -1 && err == EINVAL && v == _LINUX_CAPABILITY_VERSION_3,
		      "capget with version 0: EINVAL and the preferred version (v3) written back");
		v = 0;
		rr = capget_raw(0x12345678, 0, NULL, &v);
		CHECK(rr == 0 && v == _LINUX_CAPABILITY_VERSION_3,
		      "capget probe with NULL data and a bad version: returns 0, v3 written back");
		EXPECT_EQ(capget_raw(_LINUX_CAPABILITY_VERSION_3, 0, NULL, NULL), 0,
		          "capget probe with NULL data and v3 returns 0");
		EXPECT_EQ(capget_raw(_LINUX_CAPABILITY_VERSION_3, 0, d, NULL), 0, "capget v3 for self");
		EXPECT_EQ(capget_raw(_LINUX_CAPABILITY_VERSION_1, 0, d, NULL), 0, "capget v1 still works");
		EXPECT_EQ(capget_raw(_LINUX_CAPABILITY_VERSION_2, 0, d, NULL), 0, "capget v2 still works");
		EXPECT_EQ(capget_raw(_LINUX_CAPABILITY_VERSION_3, getpid(), d, NULL), 0, "capget by own pid");
		EXPECT_ERRNO(capget_raw(_LINUX_CAPABILITY_VERSION_3, 999999, d, NULL), ESRCH,
		             "capget of a missing pid: ESRCH");
		uint64_t eff = caps_eff(), perm = caps_perm();
		CHECK((eff & ~perm) == 0, "effective capabilities are a subset of permitted");
		/* capset to the current values is always allowed */
		struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
		capget_raw(_LINUX_CAPABILITY_VERSION_3, 0, d, NULL);
		EXPECT_EQ(syscall(SYS_capset, &h, d), 0, "capset with unchanged sets succeeds");
		/* a capability dropped from the permitted set cannot be regained */
		int bit = -1;
		for (int i = 0; i < 64 && bit < 0; i++)
			if ((perm >> i) & 1)
				bit = i;
		pid_t c = it_fork();
		if (c == 0) {
			if (bit < 0)
				_exit(0);
			struct __user_cap_data_struct dd[2];
			struct __user_cap_header_struct hh = {_LINUX_CAPABILITY_VERSION_3, 0};
			capget_raw(_LINUX_CAPABILITY_VERSION_3, 0, dd, NULL);
			dd[bit / 32].permitted &= ~(1u << (bit % 32));
			dd[bit / 32].effective &= ~(1u << (bit % 32));
			dd[bit / 32].inheritable &= ~(1u << (bit % 32));
			if (syscall(SYS_capset, &hh, dd) != 0)
				_exit(1);
			if ((caps_perm() >> bit) & 1)
				_exit(2);
			dd[bit / 32].permitted |= 1u << (bit % 32);
			if (syscall(SYS_capset, &hh, dd) != -1 || errno != EPERM)
				_exit(3);
			_exit(0);
		}
		int st = it_wait(c);
		CHECKF(st == 0, "capset: dropping a permitted capability works, regaining it is EPERM",
		       "child %s", it_status_str(st));
	}

	int priv_setuid = (caps_eff() >> CAP_SETUID) & 1;
	int priv_setgid = (caps_eff() >> CAP_SETGID) & 1;

	/* setgroups */
	{
		pid_t c = it_fork();
		if (c == 0) {
			gid_t want[3] = {1, 2, 3}, got[8];
			int rr = setgroups(3, want);
			if (!priv_setgid)
				_exit(rr == -1 && errno == EPERM ? 0 : 1);
			if (rr != 0)
				_exit(2);
			if (getgroups(8, got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3)
				_exit(3);
			if (setgroups(0, NULL) != 0 || getgroups(0, NULL) != 0)
				_exit(4);
			if (setgroups(100000, want) != -1 || errno != EINVAL)
				_exit(5);
			_exit(0);
		}
		int st = it_wait(c);
		CHECKF(st == 0, "setgroups/getgroups round trip when privileged, EPERM otherwise",
		       "child %s", it_status_str(st));
	}

	/* setresuid and capability effects */
	{
		pid_t c = it_fork();
		if (c == 0) {
			if (!priv_setuid) {
				/* unprivileged: may only shuffle among existing ids */
				if (setresuid(-1, -1, -1) != 0)
					_exit(1);
				if (getuid() != 0 && setuid(0) != -1)
					_exit(2);
				if (getuid() != 0 && errno != EPERM)
					_exit(3);
				_exit(0);
			}
			if (setresgid(1000, 1000, 1000) != 0)
				_exit(10);
			if (setresuid(1000, 1000, 1000) != 0)
				_exit(11);
			uid_t a, b, d;
			getresuid(&a, &b, &d);
			if (a != 1000 || b != 1000 || d != 1000)
				_exit(12);
			if (caps_eff() != 0 || caps_perm() != 0)
				_exit(13); /* all-nonzero ids drop all capabilities */
			if (setuid(0) != -1 || errno != EPERM)
				_exit(14);
			if (setresuid(1000, 1000, 1000) != 0)
				_exit(15); /* no-op change allowed */
			if (setfsuid(-1) != 1000)
				_exit(16);
			_exit(0);
		}
		int st = it_wait(c);
		CHECKF(st == 0, "setresuid to non-root drops capabilities and cannot return (or EPERM when unprivileged)",
		       "child %s", it_status_str(st));
	}
	{
		pid_t c = it_fork();
		if (c == 0) {
			if (!priv_setuid)
				_exit(0);
			if (getresuid(&r, &e, &s) != 0 || r != 0)
				_exit(0); /* not actually uid 0: nothing to test */
			if (setresuid(-1, 1000, 0) != 0)
				_exit(1);
			if (geteuid() != 1000 || getuid() != 0)
				_exit(2);
			if (caps_eff() != 0 || caps_perm() == 0)
				_exit(3); /* euid!=0: effective cleared, permitted kept */
			if (seteuid(0) != 0)
				_exit(4); /* saved/real uid 0 allows it */
			if (caps_eff() != caps_perm())
				_exit(5); /* effective restored */
			_exit(0);
		}
		int st = it_wait(c);
		CHECKF(st == 0, "temporary euid drop clears effective caps; seteuid(0) restores them",
		       "child %s", it_status_str(st));
	}
	return it_end();
}
