/* t_mount: mount, umount2, pivot_root and chroot as root: tmpfs with mode=,
 * uid=, gid=, size= and nr_inodes= (ENOSPC, statfs figures), option and
 * target errors, busy mounts (EBUSY, MNT_DETACH, MNT_EXPIRE), bind mounts
 * (files, MS_REC), remounts (MS_RDONLY with and without MS_BIND, nosuid,
 * noexec), propagation flags, MS_MOVE, proc and sysfs mounts, what
 * /proc/self/mounts and mountinfo show, EPERM without CAP_SYS_ADMIN or
 * CAP_SYS_CHROOT, chroot, pivot_root in a chrooted child, and file
 * handles (none is ever made or opened).
 *
 * Natively the test first moves to a private mount namespace so that the
 * host's mounts are never touched; in the sandbox unshare(2) fails and the
 * sandbox's own mount tree is used. Without root it checks nothing and
 * prints the same lines. */
#include "itest.h"

#include <linux/capability.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>

#define TMPFS_MAGIC 0x01021994
#define PROC_SUPER_MAGIC 0x9fa0
#define SYSFS_MAGIC 0x62656572

static int dry; /* not root: print the lines, check nothing */
static char D[64];

#define M_CHECK(cond, what)                                                                        \
	do {                                                                                       \
		if (dry)                                                                           \
			it_ok(what);                                                               \
		else                                                                               \
			CHECK(cond, what);                                                         \
	} while (0)
#define M_EQ(a, b, what)                                                                           \
	do {                                                                                       \
		if (dry)                                                                           \
			it_ok(what);                                                               \
		else                                                                               \
			EXPECT_EQ(a, b, what);                                                     \
	} while (0)
#define M_ERRNO(expr, err, what)                                                                   \
	do {                                                                                       \
		if (dry)                                                                           \
			it_ok(what);                                                               \
		else                                                                               \
			EXPECT_ERRNO(expr, err, what);                                             \
	} while (0)

static const char *P(const char *rel)
{
	static char bufs[8][256];
	static int k;
	char *b = bufs[k++ % 8];
	snprintf(b, 256, "%s/%s", D, rel);
	return b;
}

/* Does /proc/self/<file> have a line containing all of a, b (and c)? */
static int table_has(const char *file, const char *a, const char *b, const char *c)
{
	char path[64], line[1024];
	snprintf(path, sizeof path, "/proc/self/%s", file);
	FILE *f = fopen(path, "r");
	int found = 0;
	while (f && fgets(line, sizeof line, f))
		if (strstr(line, a) && (!b || strstr(line, b)) && (!c || strstr(line, c)))
			found = 1;
	if (f)
		fclose(f);
	return found;
}

static int drop_cap(int cap)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	d[cap / 32].effective &= ~(1u << (cap % 32));
	d[cap / 32].permitted &= ~(1u << (cap % 32));
	return (int)syscall(SYS_capset, &h, d);
}

static void tmpfs_limits(void)
{
	struct stat st;
	struct statfs sf;
	char mp[128];
	mkdir(P("m"), 0755);
	M_EQ(mount("none", P("m"), "tmpfs", 0, "mode=0750,uid=65534,gid=65533,size=64k,nr_inodes=8"), 0,
	     "mount tmpfs with options");
	M_CHECK(stat(P("m"), &st) == 0 && (st.st_mode & 07777) == 0750 && st.st_uid == 65534 && st.st_gid == 65533,
	        "mode=, uid= and gid= set its root");
	M_CHECK(statfs(P("m"), &sf) == 0 && sf.f_type == TMPFS_MAGIC && sf.f_bsize == 4096 && sf.f_blocks == 16 &&
	                sf.f_bfree == 16 && sf.f_files == 8,
	        "statfs: size= in 4 KiB blocks, nr_inodes= files, all free");
	snprintf(mp, sizeof mp, " %s ", P("m"));
	M_CHECK(table_has("mounts", mp, "tmpfs rw", NULL), "/proc/self/mounts shows it");
	M_CHECK(table_has("mountinfo", mp, " - tmpfs none rw", NULL), "and mountinfo");

	/* size=64k: 16 pages, then ENOSPC. */
	static char buf[80 * 1024];
	memset(buf, 'z', sizeof buf);
	int fd = open(P("m/big"), O_CREAT | O_RDWR, 0644);
	M_EQ(write(fd, buf, 16 * 1024), 16 * 1024, "write 16 KiB");
	M_CHECK(statfs(P("m"), &sf) == 0 && sf.f_bfree == 12 && sf.f_ffree == 6,
	        "statfs counts the 4 pages and the 2 inodes used");
	M_EQ(write(fd, buf, sizeof buf), 48 * 1024, "a write past size= stops at the limit");
	M_ERRNO(write(fd, buf, 10), ENOSPC, "then ENOSPC");
	M_ERRNO(fallocate(fd, 0, 1 << 20, 4096), ENOSPC, "fallocate past the limit: ENOSPC");
	M_EQ(ftruncate(fd, 0), 0, "truncate frees the pages");
	M_CHECK(statfs(P("m"), &sf) == 0 && sf.f_bfree == 16, "statfs sees them free again");
	close(fd);
	int made = 0, err = 0;
	for (int i = 0; i < 10 && !err; i++) {
		char name[32];
		snprintf(name, sizeof name, "m/f%d", i);
		int f = open(P(name), O_CREAT | O_WRONLY, 0644);
		if (f < 0)
			err = errno;
		else
			made++;
		close(f);
	}
	M_EQ(err, ENOSPC, "past nr_inodes: ENOSPC");
	M_EQ(made, 6, "the root and 7 files fill nr_inodes=8");
	M_ERRNO(mkdir(P("m/d"), 0755), ENOSPC, "mkdir too");
	unlink(P("m/f0"));
	M_EQ(mkdir(P("m/d"), 0755), 0, "a freed inode can be used again");
	M_EQ(umount(P("m")), 0, "umount");
	M_CHECK(!table_has("mounts", mp, NULL, NULL), "gone from /proc/self/mounts");

	M_ERRNO(mount("none", P("m"), "tmpfs", 0, "size=12q"), EINVAL, "a bad size=: EINVAL");
	M_ERRNO(mount("none", P("m"), "tmpfs", 0, "nosuchoption"), EINVAL, "an unknown option: EINVAL");
	M_ERRNO(mount("none", P("m"), "tmpfs", 0, "mode=9"), EINVAL, "a bad mode=: EINVAL");
	M_ERRNO(mount("none", P("m"), "nosuchfs", 0, NULL), ENODEV, "an unknown type: ENODEV");
	M_ERRNO(mount("none", P("m"), NULL, 0, NULL), EINVAL, "no type: EINVAL");
	M_ERRNO(mount("none", P("nosuchdir"), "tmpfs", 0, NULL), ENOENT, "a missing target: ENOENT");
	it_write_file(P("file"), "f", 1, 0644);
	M_ERRNO(mount("none", P("file"), "tmpfs", 0, NULL), ENOTDIR, "a tmpfs on a file: ENOTDIR");
	M_ERRNO(mount("none", P("m"), "tmpfs", MS_NOUSER, NULL), EINVAL, "MS_NOUSER: EINVAL");
	M_ERRNO(umount(P("m")), EINVAL, "umount of a directory that is no mount: EINVAL");
	M_ERRNO(umount2(P("m"), 0x100), EINVAL, "umount2 with an unknown flag: EINVAL");
	M_ERRNO(umount(P("nosuchdir")), ENOENT, "umount of a missing path: ENOENT");
}

static void busy(void)
{
	char buf[8];
	M_EQ(mount("tmpfs", P("m"), "tmpfs", 0, NULL), 0, "mount a tmpfs");
	it_write_file(P("m/x"), "data", 4, 0644);
	int fd = open(P("m/x"), O_RDONLY);
	M_ERRNO(umount(P("m")), EBUSY, "umount with a file open in it: EBUSY");
	M_EQ(umount2(P("m"), MNT_DETACH), 0, "MNT_DETACH detaches it anyway");
	M_CHECK(access(P("m/x"), F_OK) == -1 && errno == ENOENT, "its files are gone from the path");
	memset(buf, 0, sizeof buf);
	M_CHECK(read(fd, buf, sizeof buf) == 4 && !strcmp(buf, "data"), "the open file still reads");
	close(fd);

	M_EQ(mount("tmpfs", P("m"), "tmpfs", 0, NULL), 0, "mount again");
	char cwd[256];
	if (!getcwd(cwd, sizeof cwd))
		strcpy(cwd, "/");
	if (!dry && chdir(P("m")) != 0)
		it_fail("chdir", "errno %d", errno);
	M_ERRNO(umount(P("m")), EBUSY, "umount of the working directory's mount: EBUSY");
	if (chdir(cwd) != 0)
		it_fail("chdir back", "errno %d", errno);
	mkdir(P("m/sub"), 0755);
	M_EQ(mount("tmpfs", P("m/sub"), "tmpfs", 0, NULL), 0, "a mount inside it");
	M_ERRNO(umount(P("m")), EBUSY, "umount of a mount with one below: EBUSY");
	M_ERRNO(umount2(P("m/sub"), MNT_EXPIRE), EAGAIN, "MNT_EXPIRE first marks: EAGAIN");
	M_EQ(umount2(P("m/sub"), MNT_EXPIRE), 0, "a second MNT_EXPIRE unmounts");
	M_ERRNO(umount2(P("m"), MNT_EXPIRE | MNT_DETACH), EINVAL, "MNT_EXPIRE with MNT_DETACH: EINVAL");
	M_EQ(umount2(P("m"), UMOUNT_NOFOLLOW), 0, "UMOUNT_NOFOLLOW of a plain path");
}

static void binds(void)
{
	char buf[16], mp[128];
	struct statvfs vf;
	mkdir(P("src"), 0755);
	mkdir(P("src/inner"), 0755);
	mkdir(P("bind"), 0755);
	mkdir(P("rbind"), 0755);
	it_write_file(P("src/a"), "A", 1, 0644);
	M_EQ(mount(P("src"), P("bind"), NULL, MS_BIND, NULL), 0, "a bind mount");
	memset(buf, 0, sizeof buf);
	M_CHECK(it_read_file(P("bind/a"), buf, sizeof buf) == 1 && buf[0] == 'A', "shows the source's files");
	it_write_file(P("bind/b"), "B", 1, 0644);
	M_CHECK(access(P("src/b"), F_OK) == 0, "a file made through it is in the source");
	snprintf(mp, sizeof mp, " %s ", P("bind"));
	M_CHECK(table_has("mountinfo", mp, NULL, NULL), "mountinfo lists the bind mount");
	M_EQ(mount(NULL, P("bind"), NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), 0,
	     "remount the bind read-only");
	M_ERRNO(open(P("bind/c"), O_CREAT | O_WRONLY, 0644), EROFS, "writes through it: EROFS");
	M_CHECK(statvfs(P("bind"), &vf) == 0 && (vf.f_flag & ST_RDONLY), "statvfs says ST_RDONLY");
	int fd = open(P("src/c"), O_CREAT | O_WRONLY, 0644);
	M_CHECK(fd >= 0, "the source stays writable");
	close(fd);
	M_CHECK(table_has("mountinfo", mp, " ro,", NULL), "mountinfo shows ro");
	M_EQ(mount(NULL, P("bind"), NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NOEXEC, NULL), 0,
	     "remount it nosuid,noexec");
	M_CHECK(table_has("mountinfo", mp, " rw,nosuid,noexec", NULL), "mountinfo shows rw,nosuid,noexec");

	/* MS_REC copies the mounts below. */
	M_EQ(mount("tmpfs", P("src/inner"), "tmpfs", 0, NULL), 0, "a tmpfs inside the source");
	it_write_file(P("src/inner/i"), "I", 1, 0644);
	M_CHECK(access(P("bind/inner/i"), F_OK) == -1, "an earlier plain bind does not show it");
	M_EQ(mount(P("src"), P("rbind"), NULL, MS_BIND | MS_REC, NULL), 0, "a recursive bind");
	M_CHECK(access(P("rbind/inner/i"), F_OK) == 0, "shows the tmpfs below");
	M_ERRNO(umount(P("rbind")), EBUSY, "umount of a tree with a mount below: EBUSY");
	M_EQ(umount2(P("rbind"), MNT_DETACH), 0, "MNT_DETACH takes the whole tree");
	M_CHECK(!table_has("mounts", P("rbind/inner"), NULL, NULL), "and the copies below go with it");

	/* A file on a file. */
	it_write_file(P("f1"), "one", 3, 0644);
	it_write_file(P("f2"), "two", 3, 0644);
	M_EQ(mount(P("f1"), P("f2"), NULL, MS_BIND, NULL), 0, "bind a file onto a file");
	memset(buf, 0, sizeof buf);
	M_CHECK(it_read_file(P("f2"), buf, sizeof buf) == 3 && !strcmp(buf, "one"), "the target reads the source");
	M_EQ(umount(P("f2")), 0, "umount the file");
	M_ERRNO(mount(P("f1"), P("m"), NULL, MS_BIND, NULL), ENOTDIR, "a file onto a directory: ENOTDIR");
	M_ERRNO(mount(P("nosuch"), P("m"), NULL, MS_BIND, NULL), ENOENT, "a missing source: ENOENT");
	M_ERRNO(mount("", P("m"), NULL, MS_BIND, NULL), EINVAL, "an empty source: EINVAL");

	/* MS_MOVE */
	mkdir(P("moved"), 0755);
	M_EQ(mount(P("bind"), P("moved"), NULL, MS_MOVE, NULL), 0, "MS_MOVE");
	M_CHECK(access(P("moved/a"), F_OK) == 0 && access(P("bind/a"), F_OK) == -1, "the mount moved");
	M_ERRNO(mount(P("src"), P("m"), NULL, MS_MOVE, NULL), EINVAL, "MS_MOVE of no mount: EINVAL");
	umount(P("moved"));
	umount(P("src/inner"));
}

static void remounts(void)
{
	char mp[128];
	M_EQ(mount("tmpfs", P("m"), "tmpfs", MS_NODEV, NULL), 0, "mount a nodev tmpfs");
	snprintf(mp, sizeof mp, " %s ", P("m"));
	M_CHECK(table_has("mountinfo", mp, "rw,nodev", NULL), "mountinfo shows nodev");
	M_EQ(mount(NULL, P("m"), NULL, MS_REMOUNT | MS_RDONLY, NULL), 0, "remount it read-only");
	M_ERRNO(mkdir(P("m/x"), 0755), EROFS, "then mkdir: EROFS");
	M_EQ(mount(NULL, P("m"), NULL, MS_REMOUNT, NULL), 0, "remount it read-write");
	M_EQ(mkdir(P("m/x"), 0755), 0, "then mkdir works");
	M_ERRNO(mount(NULL, P("m/x"), NULL, MS_REMOUNT, NULL), EINVAL, "remount of no mount: EINVAL");
	M_EQ(mount(NULL, P("m"), NULL, MS_PRIVATE, NULL), 0, "MS_PRIVATE is accepted");
	M_EQ(mount(NULL, P("m"), NULL, MS_SHARED | MS_REC, NULL), 0, "MS_SHARED|MS_REC too");
	M_ERRNO(mount(NULL, P("m"), NULL, MS_SHARED | MS_PRIVATE, NULL), EINVAL, "two propagation types: EINVAL");
	M_ERRNO(mount(NULL, P("m/x"), NULL, MS_SLAVE, NULL), EINVAL, "propagation on no mount: EINVAL");
	M_EQ(umount(P("m")), 0, "umount");
}

static void pseudo(void)
{
	struct statfs sf;
	char buf[64];
	mkdir(P("p"), 0755);
	M_EQ(mount("proc", P("p"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL), 0, "mount proc");
	M_CHECK(statfs(P("p"), &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC, "it is a procfs");
	{
		char want[32];
		ssize_t n = readlink(P("p/self"), buf, sizeof buf - 1);
		snprintf(want, sizeof want, "%d", (int)getpid());
		M_CHECK(n > 0 && (buf[n] = 0, !strcmp(buf, want)), "its self is us");
	}
	M_EQ(umount(P("p")), 0, "umount proc");
	M_EQ(mount("sysfs", P("p"), "sysfs", 0, NULL), 0, "mount sysfs");
	M_CHECK(statfs(P("p"), &sf) == 0 && sf.f_type == SYSFS_MAGIC, "it is a sysfs");
	M_CHECK(it_read_file(P("p/devices/system/cpu/online"), buf, sizeof buf) > 0 && buf[0] == '0',
	        "with the cpu files");
	M_EQ(umount(P("p")), 0, "umount sysfs");
}

static void unprivileged(void)
{
	if (dry) {
		it_ok("without CAP_SYS_ADMIN: mount, umount, pivot_root EPERM; chroot without CAP_SYS_CHROOT EPERM");
		return;
	}
	mount("tmpfs", P("m"), "tmpfs", 0, NULL);
	pid_t c = it_fork();
	if (c == 0) {
		drop_cap(CAP_SYS_ADMIN);
		if (mount("tmpfs", P("p"), "tmpfs", 0, NULL) != -1 || errno != EPERM)
			_exit(1);
		if (umount(P("m")) != -1 || errno != EPERM)
			_exit(2);
		if (syscall(SYS_pivot_root, P("m"), P("m")) != -1 || errno != EPERM)
			_exit(3);
		if (mount(NULL, P("m"), NULL, MS_PRIVATE, NULL) != -1 || errno != EPERM)
			_exit(4);
		if (chroot(P("m")) != 0)
			_exit(5);
		drop_cap(CAP_SYS_CHROOT);
		if (chroot("/") != -1 || errno != EPERM)
			_exit(6);
		_exit(0);
	}
	int st = it_wait(c);
	CHECKF(st == 0, "without CAP_SYS_ADMIN: mount, umount, pivot_root EPERM; chroot without CAP_SYS_CHROOT EPERM",
	       "child %s", it_status_str(st));
	umount(P("m"));
}

static void chroot_test(void)
{
	if (dry) {
		it_ok("chroot: / is the new root, .. stops there, the cwd stays");
		it_ok("chroot to a file: ENOTDIR");
		return;
	}
	mkdir(P("jail"), 0755);
	mkdir(P("jail/etc"), 0755);
	it_write_file(P("jail/etc/hello"), "jailed", 6, 0644);
	pid_t c = it_fork();
	if (c == 0) {
		char buf[16] = {0};
		if (chroot(P("jail")) != 0)
			_exit(1);
		if (it_read_file("/etc/hello", buf, sizeof buf) != 6)
			_exit(2);
		if (chdir("/") || it_read_file("../../etc/hello", buf, sizeof buf) != 6)
			_exit(3);
		if (access("/jail", F_OK) == 0)
			_exit(4);
		_exit(0);
	}
	int st = it_wait(c);
	CHECKF(st == 0, "chroot: / is the new root, .. stops there, the cwd stays", "child %s", it_status_str(st));
	EXPECT_ERRNO(chroot(P("file")), ENOTDIR, "chroot to a file: ENOTDIR");
}

/* pivot_root in a child chrooted into a tmpfs, so that only it moves. */
static void pivot(void)
{
	if (dry) {
		it_ok("pivot_root: the new root, the old under put_old, MNT_DETACH of it, and the errors");
		return;
	}
	mkdir(P("pr"), 0755);
	if (mount("tmpfs", P("pr"), "tmpfs", 0, NULL) != 0) {
		it_fail("mount for pivot_root", "errno %d", errno);
		return;
	}
	mkdir(P("pr/new"), 0755);
	mkdir(P("pr/plain"), 0755);
	mount("tmpfs", P("pr/new"), "tmpfs", 0, NULL);
	mkdir(P("pr/new/old"), 0755);
	it_write_file(P("pr/new/hello"), "new root", 8, 0644);
	pid_t c = it_fork();
	if (c == 0) {
		char buf[16] = {0};
		if (chroot(P("pr")) || chdir("/"))
			_exit(1);
		if (syscall(SYS_pivot_root, "/new/old", "/new/old") != -1 || errno != EINVAL)
			_exit(2); /* new_root is no mount */
		if (syscall(SYS_pivot_root, "/new", "/plain") != -1 || errno != EBUSY)
			_exit(3); /* put_old on the current root's mount */
		if (syscall(SYS_pivot_root, "/", "/new/old") != -1 || errno != EBUSY)
			_exit(4); /* new_root is the root */
		if (syscall(SYS_pivot_root, "/new", "/new/old") != 0)
			_exit(5);
		if (it_read_file("/hello", buf, sizeof buf) != 8)
			_exit(6);
		if (access("/old/plain", F_OK) != 0)
			_exit(7);
		if (umount2("/old", MNT_DETACH) != 0)
			_exit(8);
		if (access("/old/plain", F_OK) == 0)
			_exit(9);
		_exit(0);
	}
	int st = it_wait(c);
	CHECKF(st == 0, "pivot_root: the new root, the old under put_old, MNT_DETACH of it, and the errors",
	       "child %s", it_status_str(st));
	umount2(P("pr/new"), MNT_DETACH);
	umount2(P("pr"), MNT_DETACH);
}

/* File handles: procfs exports none; a handle opens nothing. */
static void handles(void)
{
	struct {
		unsigned int bytes;
		int type;
		unsigned char f[128];
	} h = {128, 1, {0}};
	int mid;
	M_ERRNO(syscall(SYS_name_to_handle_at, AT_FDCWD, "/proc/self/status", &h, &mid, 0), EOPNOTSUPP,
	        "name_to_handle_at on procfs: EOPNOTSUPP");
	M_ERRNO(syscall(SYS_name_to_handle_at, AT_FDCWD, "/proc/self/status", &h, &mid, 0x8), EINVAL,
	        "name_to_handle_at with an unknown flag: EINVAL");
	M_ERRNO(syscall(SYS_name_to_handle_at, AT_FDCWD, P("nosuch"), &h, &mid, 0), ENOENT,
	        "name_to_handle_at of a missing path: ENOENT");
	M_ERRNO(syscall(SYS_open_by_handle_at, AT_FDCWD, &h, O_RDONLY), ESTALE, "open_by_handle_at: ESTALE");
	h.bytes = 0;
	M_ERRNO(syscall(SYS_open_by_handle_at, AT_FDCWD, &h, O_RDONLY), EINVAL, "a handle of 0 bytes: EINVAL");
	h.bytes = 129;
	M_ERRNO(syscall(SYS_open_by_handle_at, AT_FDCWD, &h, O_RDONLY), EINVAL, "a handle past 128 bytes: EINVAL");
	h.bytes = 8;
	M_ERRNO(syscall(SYS_open_by_handle_at, -5, &h, O_RDONLY), EBADF, "a bad mount descriptor: EBADF");
	M_ERRNO(syscall(SYS_open_by_handle_at, AT_FDCWD, (void *)1, O_RDONLY), EFAULT, "an unreadable handle: EFAULT");
	if (dry) {
		it_ok("open_by_handle_at without CAP_DAC_READ_SEARCH: EPERM");
		return;
	}
	pid_t c = it_fork();
	if (c == 0) {
		drop_cap(CAP_DAC_READ_SEARCH);
		_exit(syscall(SYS_open_by_handle_at, AT_FDCWD, &h, O_RDONLY) == -1 && errno == EPERM ? 0 : 1);
	}
	EXPECT_EXIT(it_wait(c), 0, "open_by_handle_at without CAP_DAC_READ_SEARCH: EPERM");
}

int main(void)
{
	it_begin(10);
	dry = geteuid() != 0;
	/* Natively: a private mount namespace, so the host's mounts never
	 * change and nothing propagates back. In the sandbox unshare fails
	 * (one namespace) and the sandbox's tree is used. */
	if (!dry && unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		it_fail("make / private", "errno %d", errno);
		return it_end();
	}
	if (!it_tmpdir(D, sizeof D))
		return 1;
	tmpfs_limits();
	busy();
	binds();
	remounts();
	pseudo();
	unprivileged();
	chroot_test();
	pivot();
	handles();
	it_rmtree(D);
	return it_end();
}
