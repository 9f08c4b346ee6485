/* t_sysv_ipc: System V IPC (semaphores, message queues, shared memory):
 * keys and ids, permissions, limits, blocking and its interruption,
 * SEM_UNDO, and every error the calls document. Every object it makes is
 * removed: natively they outlive the process. */
#include "itest.h"

#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

static void *const BADPTR = (void *)8;

/* A key no other program is likely to use. */
static key_t test_key(int n)
{
	return (key_t)(0x5c000000 | ((getpid() & 0xffff) << 8) | n);
}

static void on_usr1(int sig) { (void)sig; }

/* Run fn in a child with uid 65534 when root (so without CAP_IPC_OWNER);
 * the child's exit status is fn's result. Unprivileged, the child stays
 * the owner: objects of mode 0 deny it all the same. */
static int other_uid;
static int as_other_user(int (*fn)(int), int id)
{
	pid_t p = it_fork();
	if (p == 0) {
		if (geteuid() == 0) {
			if (setresuid(65534, 65534, 65534))
				_exit(100);
			other_uid = 1;
		}
		_exit(fn(id));
	}
	int st = it_wait(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 200;
}

/* Whether /proc/sysvipc/<kind> lists id with these permission bits. */
static int sysvipc_has(const char *kind, int id, unsigned mode)
{
	char path[64], line[512];
	int found = 0, key, got;
	unsigned perms;
	snprintf(path, sizeof path, "/proc/sysvipc/%s", kind);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(line, sizeof line, f) || strncmp(line, "       key", 10))
		found = -1;
	while (!found && fgets(line, sizeof line, f))
		if (sscanf(line, "%d %d %o", &key, &got, &perms) == 3 && got == id && perms == mode)
			found = 1;
	fclose(f);
	return found == 1;
}

static int semval(int id, int n) { return semctl(id, n, GETVAL); }

/* Wait until semctl(id, n, cmd) == want (a child blocked). */
static int wait_semcnt(int id, int n, int cmd, int want)
{
	for (int i = 0; i < 2000; i++) {
		if (semctl(id, n, cmd) == want)
			return 1;
		usleep(1000);
	}
	return 0;
}

static int sem_try_read(int id)
{
	errno = 0;
	if (semctl(id, 0, GETVAL) != -1 || errno != EACCES)
		return 1;
	struct sembuf op = {0, 1, IPC_NOWAIT};
	if (semop(id, &op, 1) != -1 || errno != EACCES)
		return 2;
	if (other_uid && (semctl(id, 0, IPC_RMID) != -1 || errno != EPERM))
		return 3;
	return 0;
}

static void test_sem_get(void)
{
	key_t k = test_key(1);
	EXPECT_ERRNO(semget(IPC_PRIVATE, 0, 0600), EINVAL, "semget nsems 0");
	EXPECT_ERRNO(semget(IPC_PRIVATE, -1, 0600), EINVAL, "semget nsems -1");
	EXPECT_ERRNO(semget(IPC_PRIVATE, INT_MAX, 0600), EINVAL, "semget nsems > SEMMSL");
	int id = semget(k, 3, IPC_CREAT | IPC_EXCL | 0600);
	CHECK(id >= 0, "semget IPC_CREAT|IPC_EXCL");
	EXPECT_ERRNO(semget(k, 3, IPC_CREAT | IPC_EXCL | 0600), EEXIST, "semget existing EEXIST");
	EXPECT_ERRNO(semget(test_key(2), 3, 0600), ENOENT, "semget absent key ENOENT");
	EXPECT_EQ(semget(k, 0, 0), id, "semget existing key, nsems 0");
	EXPECT_EQ(semget(k, 2, IPC_CREAT), id, "semget existing key, fewer nsems");
	EXPECT_ERRNO(semget(k, 4, 0), EINVAL, "semget existing key, more nsems");
	int id2 = semget(IPC_PRIVATE, 1, 0600);
	CHECK(id2 >= 0 && id2 != id, "semget IPC_PRIVATE is a new set");
	EXPECT_OK(semctl(id, 0, IPC_RMID), "semctl IPC_RMID");
	EXPECT_ERRNO(semctl(id, 0, GETVAL), EINVAL, "removed set EINVAL");
	EXPECT_ERRNO(semget(k, 1, 0), ENOENT, "removed key ENOENT");
	EXPECT_OK(semctl(id2, 0, IPC_RMID), "semctl IPC_RMID private");
	EXPECT_ERRNO(semctl(-1, 0, GETVAL), EINVAL, "semctl id -1");
}

static void test_sem_ctl(void)
{
	int id = semget(IPC_PRIVATE, 3, 0600);
	union semun u;
	unsigned short vals[3] = {1, 2, 3}, got[3] = {0};
	struct semid_ds ds;

	CHECK(id >= 0, "semget for semctl");
	EXPECT_EQ(semval(id, 1), 0, "new semaphores are 0");
	u.val = 7;
	EXPECT_OK(semctl(id, 1, SETVAL, u), "SETVAL");
	EXPECT_EQ(semval(id, 1), 7, "GETVAL after SETVAL");
	EXPECT_EQ(semctl(id, 1, GETPID), getpid(), "GETPID after SETVAL");
	u.val = 32768;
	EXPECT_ERRNO(semctl(id, 1, SETVAL, u), ERANGE, "SETVAL 32768 ERANGE");
	u.val = -1;
	EXPECT_ERRNO(semctl(id, 1, SETVAL, u), ERANGE, "SETVAL -1 ERANGE");
	EXPECT_ERRNO(semctl(id, 3, GETVAL), EINVAL, "GETVAL semnum == nsems");
	EXPECT_ERRNO(semctl(id, -1, GETVAL), EINVAL, "GETVAL semnum -1");
	u.array = vals;
	EXPECT_OK(semctl(id, 0, SETALL, u), "SETALL");
	u.array = got;
	EXPECT_OK(semctl(id, 0, GETALL, u), "GETALL");
	CHECK(got[0] == 1 && got[1] == 2 && got[2] == 3, "GETALL values");
	vals[2] = 40000;
	u.array = vals;
	EXPECT_ERRNO(semctl(id, 0, SETALL, u), ERANGE, "SETALL 40000 ERANGE");
	EXPECT_EQ(semval(id, 2), 3, "failed SETALL changes nothing");
	u.array = BADPTR;
	EXPECT_ERRNO(semctl(id, 0, GETALL, u), EFAULT, "GETALL bad pointer");
	EXPECT_ERRNO(semctl(id, 0, SETALL, u), EFAULT, "SETALL bad pointer");
	u.buf = &ds;
	EXPECT_OK(semctl(id, 0, IPC_STAT, u), "IPC_STAT");
	CHECK(ds.sem_nsems == 3 && (ds.sem_perm.mode & 0777) == 0600 &&
	      ds.sem_perm.uid == geteuid() && ds.sem_perm.cuid == geteuid() &&
	      ds.sem_perm.gid == getegid() && ds.sem_perm.__key == IPC_PRIVATE,
	      "IPC_STAT fields");
	CHECK(ds.sem_ctime > 0, "IPC_STAT sem_ctime set");
	ds.sem_perm.mode = 0640;
	EXPECT_OK(semctl(id, 0, IPC_SET, u), "IPC_SET");
	memset(&ds, 0, sizeof ds);
	semctl(id, 0, IPC_STAT, u);
	EXPECT_EQ(ds.sem_perm.mode & 0777, 0640, "IPC_SET mode");
	u.buf = BADPTR;
	EXPECT_ERRNO(semctl(id, 0, IPC_STAT, u), EFAULT, "IPC_STAT bad pointer");
	EXPECT_ERRNO(semctl(id, 0, IPC_SET, u), EFAULT, "IPC_SET bad pointer");
	EXPECT_ERRNO(semctl(id, 0, 99), EINVAL, "semctl unknown command");
	CHECK(sysvipc_has("sem", id, 0640), "/proc/sysvipc/sem lists the set");
	int lim[4];
	FILE *lf = fopen("/proc/sys/kernel/sem", "r");
	CHECK(lf && fscanf(lf, "%d %d %d %d", &lim[0], &lim[1], &lim[2], &lim[3]) == 4 &&
	      lim[0] > 0 && lim[2] > 0, "/proc/sys/kernel/sem");
	if (lf)
		fclose(lf);

	struct seminfo si;
	u.__buf = &si;
	int r = semctl(0, 0, IPC_INFO, u);
	CHECK(r >= 0 && si.semmsl > 0 && si.semvmx == 32767 && si.semopm > 0,
	      "IPC_INFO");
	r = semctl(0, 0, SEM_INFO, u);
	CHECK(r >= (id & 0x7fff) && si.semusz >= 1 && si.semaem >= 3, "SEM_INFO");
	u.buf = &ds;
	EXPECT_EQ(semctl(id & 0x7fff, 0, SEM_STAT, u), id, "SEM_STAT index gives the id");
	u.__buf = BADPTR;
	EXPECT_ERRNO(semctl(0, 0, IPC_INFO, u), EFAULT, "IPC_INFO bad pointer");

	u.val = 0;
	semctl(id, 0, SETVAL, u);
	semctl(id, 0, IPC_SET, &(struct semid_ds){.sem_perm = {.mode = 0, .uid = geteuid(), .gid = getegid()}});
	EXPECT_EQ(as_other_user(sem_try_read, id), 0, "EACCES and EPERM for others");
	EXPECT_OK(semctl(id, 0, IPC_RMID), "IPC_RMID");
}

static void test_sem_op(void)
{
	int id = semget(IPC_PRIVATE, 2, 0600);
	struct sembuf op[2];
	struct timespec ts;

	CHECK(id >= 0, "semget for semop");
	op[0] = (struct sembuf){0, 2, 0};
	EXPECT_OK(semop(id, op, 1), "semop +2");
	EXPECT_EQ(semval(id, 0), 2, "value after +2");
	EXPECT_EQ(semctl(id, 0, GETPID), getpid(), "GETPID after semop");
	op[0] = (struct sembuf){0, -3, IPC_NOWAIT};
	EXPECT_ERRNO(semop(id, op, 1), EAGAIN, "IPC_NOWAIT decrement below 0");
	op[0] = (struct sembuf){0, 0, IPC_NOWAIT};
	EXPECT_ERRNO(semop(id, op, 1), EAGAIN, "IPC_NOWAIT wait for zero");
	op[0] = (struct sembuf){0, -1, 0};
	op[1] = (struct sembuf){1, -1, IPC_NOWAIT};
	EXPECT_ERRNO(semop(id, op, 2), EAGAIN, "two operations, second blocks");
	EXPECT_EQ(semval(id, 0), 2, "all or nothing");
	op[0] = (struct sembuf){1, 0, 0};
	op[1] = (struct sembuf){0, -2, 0};
	EXPECT_OK(semop(id, op, 2), "two operations at once");
	EXPECT_EQ(semval(id, 0), 0, "value after both");
	op[0] = (struct sembuf){0, 32767, 0};
	EXPECT_OK(semop(id, op, 1), "semop to SEMVMX");
	op[0] = (struct sembuf){0, 1, 0};
	EXPECT_ERRNO(semop(id, op, 1), ERANGE, "semop past SEMVMX");
	op[0] = (struct sembuf){0, -32767, 0};
	semop(id, op, 1);
	EXPECT_ERRNO(semop(id, op, 0), EINVAL, "semop nsops 0");
	EXPECT_ERRNO(semop(-1, op, 1), EINVAL, "semop id -1");
	EXPECT_ERRNO(semop(id ^ 0x10000, op, 1), EINVAL, "semop stale id");
	static struct sembuf many[501];
	EXPECT_ERRNO(semop(id, many, 501), E2BIG, "semop nsops > SEMOPM");
	op[0] = (struct sembuf){2, 1, 0};
	EXPECT_ERRNO(semop(id, op, 1), EFBIG, "semop sem_num >= nsems");
	EXPECT_ERRNO(semop(id, BADPTR, 1), EFAULT, "semop bad pointer");
	op[0] = (struct sembuf){0, -1, 0};
	ts = (struct timespec){0, 50000000};
	EXPECT_ERRNO(semtimedop(id, op, 1, &ts), EAGAIN, "semtimedop times out");
	ts = (struct timespec){0, 1000000000};
	EXPECT_ERRNO(semtimedop(id, op, 1, &ts), EINVAL, "semtimedop bad timespec");
	EXPECT_ERRNO(semtimedop(id, op, 1, BADPTR), EFAULT, "semtimedop bad timeout pointer");
	op[0] = (struct sembuf){0, 1, 0};
	ts = (struct timespec){0, 0};
	EXPECT_OK(semtimedop(id, op, 1, &ts), "semtimedop that need not wait");
	op[0] = (struct sembuf){0, -1, 0};
	semop(id, op, 1);

	/* A blocked decrement: GETNCNT sees it, an increment ends it. */
	pid_t p = it_fork();
	if (p == 0) {
		struct sembuf d = {0, -1, 0};
		_exit(semop(id, &d, 1) == 0 ? 0 : 1);
	}
	CHECK(wait_semcnt(id, 0, GETNCNT, 1), "GETNCNT counts a blocked decrement");
	EXPECT_EQ(semctl(id, 0, GETZCNT), 0, "GETZCNT 0");
	op[0] = (struct sembuf){0, 1, 0};
	semop(id, op, 1);
	EXPECT_EXIT(it_wait(p), 0, "blocked semop completes");
	EXPECT_EQ(semval(id, 0), 0, "the waiter took the unit");

	/* A blocked wait for zero. */
	semop(id, op, 1);
	p = it_fork();
	if (p == 0) {
		struct sembuf z = {0, 0, 0};
		_exit(semop(id, &z, 1) == 0 ? 0 : 1);
	}
	CHECK(wait_semcnt(id, 0, GETZCNT, 1), "GETZCNT counts a wait for zero");
	union semun u = {.val = 0};
	semctl(id, 0, SETVAL, u);
	EXPECT_EXIT(it_wait(p), 0, "SETVAL 0 wakes the wait for zero");

	/* A signal interrupts it, even with SA_RESTART. */
	p = it_fork();
	if (p == 0) {
		struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
		sigaction(SIGUSR1, &sa, NULL);
		struct sembuf d = {0, -1, 0};
		_exit(semop(id, &d, 1) == -1 && errno == EINTR ? 0 : 1);
	}
	CHECK(wait_semcnt(id, 0, GETNCNT, 1), "child blocked");
	kill(p, SIGUSR1);
	EXPECT_EXIT(it_wait(p), 0, "a signal ends semop with EINTR");
	EXPECT_EQ(semctl(id, 0, GETNCNT), 0, "the interrupted waiter is gone");

	/* SEM_UNDO: the exit of a process reverts its operations. */
	u.val = 5;
	semctl(id, 1, SETVAL, u);
	p = it_fork();
	if (p == 0) {
		struct sembuf o[2] = {{1, -2, SEM_UNDO}, {0, 3, SEM_UNDO}};
		if (semop(id, o, 2))
			_exit(1);
		struct sembuf o2 = {1, 1, SEM_UNDO};
		_exit(semop(id, &o2, 1) || semval(id, 1) != 4 ? 2 : 0);
	}
	EXPECT_EXIT(it_wait(p), 0, "SEM_UNDO operations");
	EXPECT_EQ(semval(id, 1), 5, "SEM_UNDO reverted a decrement at exit");
	EXPECT_EQ(semval(id, 0), 0, "SEM_UNDO reverted an increment at exit");
	p = it_fork();
	if (p == 0) {
		struct sembuf o = {1, 2, SEM_UNDO};
		semop(id, &o, 1);
		union semun v = {.val = 1};
		semctl(id, 1, SETVAL, v);
		_exit(0);
	}
	it_wait(p);
	EXPECT_EQ(semval(id, 1), 1, "SETVAL clears the undo adjustment");

	/* IPC_RMID wakes a waiter with EIDRM. */
	p = it_fork();
	if (p == 0) {
		struct sembuf d = {0, -1, 0};
		_exit(semop(id, &d, 1) == -1 && errno == EIDRM ? 0 : 1);
	}
	CHECK(wait_semcnt(id, 0, GETNCNT, 1), "child blocked before IPC_RMID");
	EXPECT_OK(semctl(id, 0, IPC_RMID), "IPC_RMID with a waiter");
	EXPECT_EXIT(it_wait(p), 0, "the waiter gets EIDRM");
}

struct tmsg {
	long mtype;
	char mtext[64];
};

static int msg_send(int id, long type, const char *text, int flg)
{
	struct tmsg m = {.mtype = type};
	snprintf(m.mtext, sizeof m.mtext, "%s", text);
	return msgsnd(id, &m, strlen(text) + 1, flg);
}

/* Receive and return the text ("" on failure). */
static const char *msg_recv(int id, long type, int flg)
{
	static struct tmsg m;
	memset(&m, 0, sizeof m);
	if (msgrcv(id, &m, sizeof m.mtext, type, flg) < 0)
		return "";
	return m.mtext;
}

static int msq_qnum(int id)
{
	struct msqid_ds ds;
	return msgctl(id, IPC_STAT, &ds) ? -1 : (int)ds.msg_qnum;
}

static int msg_try_read(int id)
{
	struct tmsg m;
	if (msgrcv(id, &m, sizeof m.mtext, 0, IPC_NOWAIT) != -1 || errno != EACCES)
		return 1;
	if (msg_send(id, 1, "x", IPC_NOWAIT) != -1 || errno != EACCES)
		return 2;
	if (other_uid && (msgctl(id, IPC_RMID, NULL) != -1 || errno != EPERM))
		return 3;
	return 0;
}

static void test_msg_get_ctl(void)
{
	key_t k = test_key(3);
	int id = msgget(k, IPC_CREAT | IPC_EXCL | 0600);
	struct msqid_ds ds;

	CHECK(id >= 0, "msgget IPC_CREAT|IPC_EXCL");
	EXPECT_ERRNO(msgget(k, IPC_CREAT | IPC_EXCL | 0600), EEXIST, "msgget EEXIST");
	EXPECT_EQ(msgget(k, 0), id, "msgget existing key");
	EXPECT_ERRNO(msgget(test_key(4), 0), ENOENT, "msgget ENOENT");
	EXPECT_OK(msgctl(id, IPC_STAT, &ds), "msgctl IPC_STAT");
	CHECK(ds.msg_qnum == 0 && ds.msg_cbytes == 0 && ds.msg_qbytes > 0 &&
	      (ds.msg_perm.mode & 0777) == 0600 && ds.msg_perm.uid == geteuid() &&
	      ds.msg_perm.__key == k && ds.msg_stime == 0 && ds.msg_ctime > 0,
	      "msgctl IPC_STAT fields");
	ds.msg_perm.mode = 0604;
	ds.msg_qbytes = 100;
	EXPECT_OK(msgctl(id, IPC_SET, &ds), "msgctl IPC_SET");
	memset(&ds, 0, sizeof ds);
	msgctl(id, IPC_STAT, &ds);
	CHECK((ds.msg_perm.mode & 0777) == 0604 && ds.msg_qbytes == 100, "IPC_SET mode and qbytes");
	EXPECT_ERRNO(msgctl(id, IPC_STAT, BADPTR), EFAULT, "msgctl IPC_STAT bad pointer");
	EXPECT_ERRNO(msgctl(id, IPC_SET, BADPTR), EFAULT, "msgctl IPC_SET bad pointer");
	EXPECT_ERRNO(msgctl(id, 99, &ds), EINVAL, "msgctl unknown command");
	CHECK(sysvipc_has("msg", id, 0604), "/proc/sysvipc/msg lists the queue");
	EXPECT_ERRNO(msgctl(-1, IPC_STAT, &ds), EINVAL, "msgctl id -1");
	struct msginfo mi;
	CHECK(msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0 && mi.msgmax > 0 && mi.msgmnb > 0,
	      "msgctl IPC_INFO");
	CHECK(msgctl(0, MSG_INFO, (struct msqid_ds *)&mi) >= (id & 0x7fff) && mi.msgpool >= 1,
	      "msgctl MSG_INFO");
	EXPECT_EQ(msgctl(id & 0x7fff, MSG_STAT, &ds), id, "MSG_STAT index gives the id");

	ds.msg_perm.mode = 0;
	msgctl(id, IPC_SET, &ds);
	EXPECT_EQ(as_other_user(msg_try_read, id), 0, "msg EACCES and EPERM for others");
	EXPECT_OK(msgctl(id, IPC_RMID, NULL), "msgctl IPC_RMID");
	EXPECT_ERRNO(msgctl(id, IPC_STAT, &ds), EINVAL, "removed queue EINVAL");
	EXPECT_ERRNO(msgget(k, 0), ENOENT, "removed queue key ENOENT");
}

static void test_msg_ops(void)
{
	int id = msgget(IPC_PRIVATE, 0600);
	struct tmsg m;
	struct msqid_ds ds;

	CHECK(id >= 0, "msgget IPC_PRIVATE");
	EXPECT_OK(msg_send(id, 3, "three", 0), "msgsnd type 3");
	EXPECT_OK(msg_send(id, 1, "one", 0), "msgsnd type 1");
	EXPECT_OK(msg_send(id, 2, "two", 0), "msgsnd type 2");
	EXPECT_OK(msg_send(id, 1, "one again", 0), "msgsnd type 1 again");
	EXPECT_EQ(msq_qnum(id), 4, "msg_qnum 4");
	msgctl(id, IPC_STAT, &ds);
	CHECK(ds.msg_cbytes == 6 + 4 + 4 + 10 && ds.msg_lspid == getpid() && ds.msg_stime > 0,
	      "msg_cbytes, msg_lspid, msg_stime");
	EXPECT_ERRNO(msgrcv(id, &m, 2, 3, 0), E2BIG, "msgrcv short buffer E2BIG");
	EXPECT_EQ(msq_qnum(id), 4, "E2BIG leaves the message");
	memset(&m, 0, sizeof m);
	EXPECT_EQ(msgrcv(id, &m, 2, 3, MSG_NOERROR), 2, "MSG_NOERROR truncates");
	CHECK(m.mtype == 3 && m.mtext[0] == 't' && m.mtext[1] == 'h' && m.mtext[2] == 0,
	      "truncated message");
	CHECK(!strcmp(msg_recv(id, 2, 0), "two"), "msgtyp > 0 takes that type");
	CHECK(!strcmp(msg_recv(id, 0, 0), "one"), "msgtyp 0 takes the first");
	msg_send(id, 5, "five", 0);
	msg_send(id, 4, "four", 0);
	CHECK(!strcmp(msg_recv(id, 1, MSG_EXCEPT), "five"), "MSG_EXCEPT takes another type");
	CHECK(!strcmp(msg_recv(id, -4, 0), "one again"), "msgtyp < 0 takes the lowest type");
	CHECK(!strcmp(msg_recv(id, -4, 0), "four"), "msgtyp < 0 then the next");
	EXPECT_ERRNO(msgrcv(id, &m, sizeof m.mtext, 0, IPC_NOWAIT), ENOMSG, "IPC_NOWAIT empty ENOMSG");
	msgctl(id, IPC_STAT, &ds);
	CHECK(ds.msg_qnum == 0 && ds.msg_cbytes == 0 && ds.msg_lrpid == getpid() && ds.msg_rtime > 0,
	      "empty queue stat");

	EXPECT_ERRNO(msg_send(id, 0, "x", 0), EINVAL, "msgsnd mtype 0");
	EXPECT_ERRNO(msg_send(id, -1, "x", 0), EINVAL, "msgsnd mtype -1");
	EXPECT_ERRNO(msgsnd(id, &m, (size_t)-1, 0), EINVAL, "msgsnd huge size");
	EXPECT_ERRNO(msgsnd(id, &m, 65536 * 4, 0), EINVAL, "msgsnd size > MSGMAX");
	EXPECT_ERRNO(msgsnd(id, BADPTR, 1, 0), EFAULT, "msgsnd bad pointer");
	EXPECT_ERRNO(msgsnd(-1, &m, 1, 0), EINVAL, "msgsnd id -1");
	EXPECT_ERRNO(msgrcv(-1, &m, 1, 0, 0), EINVAL, "msgrcv id -1");
	EXPECT_ERRNO(msgrcv(id, &m, (size_t)-1, 0, 0), EINVAL, "msgrcv huge size");
	EXPECT_ERRNO(msgrcv(id, &m, 1, 0, MSG_COPY), EINVAL, "MSG_COPY without IPC_NOWAIT");
	EXPECT_ERRNO(msgrcv(id, &m, 1, 0, MSG_COPY | IPC_NOWAIT | MSG_EXCEPT), EINVAL,
	             "MSG_COPY with MSG_EXCEPT");
	msg_send(id, 1, "lost", 0);
	EXPECT_ERRNO(msgrcv(id, BADPTR, 8, 0, 0), EFAULT, "msgrcv bad buffer");
	EXPECT_EQ(msq_qnum(id), 0, "a bad buffer loses the message");
	m.mtype = 1;
	EXPECT_OK(msgsnd(id, &m, 0, 0), "msgsnd empty message");
	EXPECT_EQ(msgrcv(id, &m, sizeof m.mtext, 0, 0), 0, "msgrcv empty message");

	/* A full queue: IPC_NOWAIT gives EAGAIN, a blocked sender waits. */
	ds.msg_qbytes = 10;
	msgctl(id, IPC_STAT, &ds);
	ds.msg_qbytes = 10;
	msgctl(id, IPC_SET, &ds);
	EXPECT_OK(msg_send(id, 1, "123456789", 0), "fill the queue");
	EXPECT_ERRNO(msg_send(id, 1, "x", IPC_NOWAIT), EAGAIN, "full queue IPC_NOWAIT EAGAIN");
	pid_t p = it_fork();
	if (p == 0)
		_exit(msg_send(id, 2, "late", 0) == 0 ? 0 : 1);
	usleep(50000);
	EXPECT_EQ(msq_qnum(id), 1, "sender blocked on a full queue");
	CHECK(!strcmp(msg_recv(id, 1, 0), "123456789"), "receive makes room");
	EXPECT_EXIT(it_wait(p), 0, "blocked sender completes");
	CHECK(!strcmp(msg_recv(id, 2, IPC_NOWAIT), "late"), "its message arrived");

	/* A blocked receiver: woken by a send of its type only. */
	p = it_fork();
	if (p == 0)
		_exit(!strcmp(msg_recv(id, 7, 0), "seven") ? 0 : 1);
	usleep(50000);
	msg_send(id, 6, "six", 0);
	usleep(20000);
	EXPECT_EQ(msq_qnum(id), 1, "receiver of type 7 leaves type 6");
	msg_send(id, 7, "seven", 0);
	EXPECT_EXIT(it_wait(p), 0, "blocked receiver gets its type");
	msg_recv(id, 6, 0);

	/* Signals: EINTR even with SA_RESTART only when a handler runs. */
	p = it_fork();
	if (p == 0) {
		struct sigaction sa = {.sa_handler = on_usr1};
		sigaction(SIGUSR1, &sa, NULL);
		_exit(msgrcv(id, &m, sizeof m.mtext, 0, 0) == -1 && errno == EINTR ? 0 : 1);
	}
	usleep(50000);
	kill(p, SIGUSR1);
	EXPECT_EXIT(it_wait(p), 0, "a signal ends msgrcv with EINTR");
	p = it_fork();
	if (p == 0)
		_exit(msgrcv(id, &m, sizeof m.mtext, 0, 0) == -1 && errno == EIDRM ? 0 : 1);
	usleep(50000);
	EXPECT_OK(msgctl(id, IPC_RMID, NULL), "msgctl IPC_RMID with a waiter");
	EXPECT_EXIT(it_wait(p), 0, "the waiting receiver gets EIDRM");
}

static long shm_nattch(int id)
{
	struct shmid_ds ds;
	return shmctl(id, IPC_STAT, &ds) ? -1 : (long)ds.shm_nattch;
}

static int shm_try(int id)
{
	if (shmat(id, NULL, 0) != (void *)-1 || errno != EACCES)
		return 1;
	if (shmat(id, NULL, SHM_RDONLY) != (void *)-1 || errno != EACCES)
		return 2;
	if (other_uid && (shmctl(id, IPC_RMID, NULL) != -1 || errno != EPERM))
		return 3;
	return 0;
}

/* Whether /proc/self/maps shows a System V segment. */
static int maps_has_sysv(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int found = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (strstr(line, "/SYSV") && strstr(line, "(deleted)"))
			found = 1;
	fclose(f);
	return found;
}

static void test_shm_get_ctl(void)
{
	key_t k = test_key(5);
	long pg = sysconf(_SC_PAGESIZE);
	struct shmid_ds ds;

	EXPECT_ERRNO(shmget(IPC_PRIVATE, 0, 0600), EINVAL, "shmget size 0");
	EXPECT_ERRNO(shmget(IPC_PRIVATE, SIZE_MAX, 0600), EINVAL, "shmget size > SHMMAX");
	int id = shmget(k, 3 * pg + 5, IPC_CREAT | IPC_EXCL | 0600);
	CHECK(id >= 0, "shmget IPC_CREAT|IPC_EXCL");
	EXPECT_ERRNO(shmget(k, pg, IPC_CREAT | IPC_EXCL | 0600), EEXIST, "shmget EEXIST");
	EXPECT_EQ(shmget(k, pg, 0), id, "shmget existing, smaller size");
	EXPECT_EQ(shmget(k, 0, 0), id, "shmget existing, size 0");
	EXPECT_ERRNO(shmget(k, 4 * pg, 0), EINVAL, "shmget existing, larger size");
	EXPECT_ERRNO(shmget(test_key(6), pg, 0), ENOENT, "shmget ENOENT");
	EXPECT_OK(shmctl(id, IPC_STAT, &ds), "shmctl IPC_STAT");
	CHECK(ds.shm_segsz == (size_t)(3 * pg + 5) && ds.shm_nattch == 0 &&
	      ds.shm_cpid == getpid() && ds.shm_lpid == 0 && ds.shm_atime == 0 &&
	      ds.shm_ctime > 0 && (ds.shm_perm.mode & 0777) == 0600 &&
	      ds.shm_perm.__key == k && ds.shm_perm.uid == geteuid(),
	      "shmctl IPC_STAT fields");
	ds.shm_perm.mode = 0640;
	EXPECT_OK(shmctl(id, IPC_SET, &ds), "shmctl IPC_SET");
	memset(&ds, 0, sizeof ds);
	shmctl(id, IPC_STAT, &ds);
	EXPECT_EQ(ds.shm_perm.mode & 0777, 0640, "IPC_SET mode");
	EXPECT_ERRNO(shmctl(id, IPC_STAT, BADPTR), EFAULT, "shmctl IPC_STAT bad pointer");
	EXPECT_ERRNO(shmctl(id, IPC_SET, BADPTR), EFAULT, "shmctl IPC_SET bad pointer");
	EXPECT_ERRNO(shmctl(id, 99, &ds), EINVAL, "shmctl unknown command");
	CHECK(sysvipc_has("shm", id, 0640), "/proc/sysvipc/shm lists the segment");
	EXPECT_ERRNO(shmctl(-1, IPC_STAT, &ds), EINVAL, "shmctl id -1");
	struct shminfo si;
	CHECK(shmctl(0, IPC_INFO, (struct shmid_ds *)&si) >= 0 && si.shmmax > 0 && si.shmmni > 0 &&
	      si.shmmin == 1, "shmctl IPC_INFO");
	struct shm_info sinf;
	CHECK(shmctl(0, SHM_INFO, (struct shmid_ds *)&sinf) >= (id & 0x7fff) && sinf.used_ids >= 1,
	      "shmctl SHM_INFO");
	EXPECT_EQ(shmctl(id & 0x7fff, SHM_STAT, &ds), id, "SHM_STAT index gives the id");
	ds.shm_perm.mode = 0;
	shmctl(id, IPC_SET, &ds);
	EXPECT_EQ(as_other_user(shm_try, id), 0, "shm EACCES and EPERM for others");
	EXPECT_OK(shmctl(id, IPC_RMID, NULL), "shmctl IPC_RMID");
	EXPECT_ERRNO(shmctl(id, IPC_STAT, &ds), EINVAL, "removed segment EINVAL");
	EXPECT_ERRNO(shmget(k, 0, 0), ENOENT, "removed segment key ENOENT");
}

static void test_shm_attach(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	key_t k = test_key(7);
	int id = shmget(k, 2 * pg, IPC_CREAT | 0600);
	struct shmid_ds ds;

	CHECK(id >= 0, "shmget for shmat");
	char *a = shmat(id, NULL, 0);
	CHECK(a != (void *)-1, "shmat NULL");
	CHECK(a[0] == 0 && a[2 * pg - 1] == 0, "a new segment is zero");
	strcpy(a, "hello");
	char *b = shmat(id, NULL, 0);
	CHECK(b != (void *)-1 && b != a && !strcmp(b, "hello"), "second attachment shares the pages");
	EXPECT_EQ(shm_nattch(id), 2, "shm_nattch 2");
	shmctl(id, IPC_STAT, &ds);
	CHECK(ds.shm_lpid == getpid() && ds.shm_atime > 0, "shm_lpid and shm_atime after shmat");
	CHECK(maps_has_sysv(), "/proc/self/maps shows /SYSV (deleted)");
	EXPECT_OK(shmdt(b), "shmdt");
	EXPECT_EQ(shm_nattch(id), 1, "shm_nattch 1 after shmdt");
	EXPECT_ERRNO(shmdt(b), EINVAL, "shmdt of nothing attached");
	EXPECT_ERRNO(shmdt(a + 1), EINVAL, "shmdt unaligned");

	/* Fork shares the attachment; the child's exit detaches it. */
	pid_t p = it_fork();
	if (p == 0) {
		int ok = !strcmp(a, "hello") && shm_nattch(id) == 2;
		strcpy(a, "child");
		_exit(ok ? 0 : 1);
	}
	EXPECT_EXIT(it_wait(p), 0, "child inherits the attachment");
	CHECK(!strcmp(a, "child"), "child's writes are shared");
	EXPECT_EQ(shm_nattch(id), 1, "exit detaches");
	p = it_fork();
	if (p == 0) {
		execl(it_self_exe(), "t_sysv_ipc", "--noop", (char *)NULL);
		_exit(127);
	}
	EXPECT_EXIT(it_wait(p), 0, "exec in a child");
	EXPECT_EQ(shm_nattch(id), 1, "exec detaches");

	/* Addresses: SHM_RND, alignment, SHM_REMAP. */
	char *hole = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT_ERRNO((long)shmat(id, hole + 1, 0), EINVAL, "shmat unaligned address");
	EXPECT_ERRNO((long)shmat(id, hole, 0), EINVAL, "shmat over a mapping without SHM_REMAP");
	char *c = shmat(id, hole, SHM_REMAP);
	CHECK(c == hole && !strcmp(c, "child"), "shmat SHM_REMAP replaces a mapping");
	shmdt(c);
	munmap(hole, 4 * pg);
	c = shmat(id, hole + 7, SHM_RND);
	CHECK(c == hole, "shmat SHM_RND rounds down");
	shmdt(c);
	EXPECT_ERRNO((long)shmat(id, NULL, SHM_REMAP), EINVAL, "SHM_REMAP without an address");
	EXPECT_ERRNO((long)shmat(id, (void *)7, SHM_RND | SHM_REMAP), EINVAL,
	             "SHM_RND|SHM_REMAP rounding to 0");
	EXPECT_ERRNO((long)shmat(-1, NULL, 0), EINVAL, "shmat id -1");
	EXPECT_ERRNO((long)shmat(id ^ 0x10000, NULL, 0), EINVAL, "shmat stale id");

	/* SHM_RDONLY: no writes, and mprotect cannot add them. */
	c = shmat(id, NULL, SHM_RDONLY);
	CHECK(c != (void *)-1 && !strcmp(c, "child"), "shmat SHM_RDONLY reads");
	EXPECT_ERRNO(mprotect(c, pg, PROT_READ | PROT_WRITE), EACCES, "mprotect write on SHM_RDONLY");
	p = it_fork();
	if (p == 0) {
		signal(SIGSEGV, SIG_DFL);
		c[0] = 'x';
		_exit(0);
	}
	EXPECT_SIGNALED(it_wait(p), SIGSEGV, "writing SHM_RDONLY faults");
	shmdt(c);

	/* mprotect splits an attachment; shmdt takes all its pieces. */
	c = shmat(id, NULL, 0);
	mprotect(c + pg, pg, PROT_READ);
	EXPECT_EQ(shm_nattch(id), 3, "a split attachment counts twice");
	EXPECT_OK(shmdt(c), "shmdt of a split attachment");
	EXPECT_EQ(shm_nattch(id), 1, "both pieces detached");

	/* IPC_RMID while attached: SHM_DEST, private key, gone at last detach. */
	EXPECT_OK(shmctl(id, IPC_RMID, NULL), "IPC_RMID while attached");
	shmctl(id, IPC_STAT, &ds);
	CHECK((ds.shm_perm.mode & SHM_DEST) && ds.shm_perm.__key == IPC_PRIVATE && ds.shm_nattch == 1,
	      "SHM_DEST and IPC_PRIVATE key");
	EXPECT_ERRNO(shmget(k, 0, 0), ENOENT, "removed key no longer found");
	CHECK(!strcmp(a, "child"), "still attached memory works");
	c = shmat(id, NULL, 0);
	CHECK(c != (void *)-1 && !strcmp(c, "child"), "a removed segment can still be attached");
	EXPECT_EQ(shm_nattch(id), 2, "shm_nattch 2 after attaching a removed segment");
	shmdt(c);
	EXPECT_OK(shmdt(a), "last shmdt");
	EXPECT_ERRNO(shmctl(id, IPC_STAT, &ds), EINVAL, "segment destroyed at last detach");

	/* A removed segment attached by a child only: destroyed at its exit. */
	id = shmget(IPC_PRIVATE, pg, 0600);
	a = shmat(id, NULL, 0);
	p = it_fork();
	if (p == 0) {
		usleep(100000);
		_exit(0);
	}
	shmdt(a);
	shmctl(id, IPC_RMID, NULL);
	EXPECT_EQ(shm_nattch(id), 1, "the child keeps it");
	it_wait(p);
	EXPECT_ERRNO(shmctl(id, IPC_STAT, &ds), EINVAL, "destroyed when the child exits");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--noop"))
		return 0;
	it_begin(10);
	test_sem_get();
	test_sem_ctl();
	test_sem_op();
	test_msg_get_ctl();
	test_msg_ops();
	test_shm_get_ctl();
	test_shm_attach();
	return it_end();
}
