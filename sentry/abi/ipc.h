/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/ipc.h: System V IPC as the x86-64 guest sees it (<linux/ipc.h>,
 * <linux/sem.h>, <linux/msg.h>, <linux/shm.h> and the 64-bit layouts of
 * asm-generic; x86-64 has no IPC_OLD, so every command is IPC_64). The
 * commands and flags the spec names are in gen/linux_flags.h.
 */
#ifndef CVISOR_ABI_IPC_H
#define CVISOR_ABI_IPC_H

#include <stdint.h>

#define LINUX_IPC_PRIVATE 0
#define LINUX_IPC_CREAT 01000
#define LINUX_IPC_EXCL 02000

/* ids: index + sequence * 32768 (Linux's IPCMNI_SHIFT, no ipcmni_extend). */
#define IPC_ID_SHIFT 15
#define IPC_ID_IDX_MASK ((1 << IPC_ID_SHIFT) - 1)
#define IPC_ID_SEQ_MAX (INT32_MAX >> IPC_ID_SHIFT)
/* The index range idr_alloc_cyclic cycles through before it grows. */
#define IPC_MIN_CYCLE 64

struct linux_ipc64_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;
	uint16_t seq;
	uint16_t pad2_;
	uint32_t pad3_;
	uint64_t unused1_, unused2_;
};

/* Semaphores. */
#define LINUX_SEM_UNDO 0x1000

#define LINUX_SEMMNI 32000
#define LINUX_SEMMSL 32000
#define LINUX_SEMMNS (LINUX_SEMMNI * LINUX_SEMMSL)
#define LINUX_SEMOPM 500
#define LINUX_SEMVMX 32767
#define LINUX_SEMAEM LINUX_SEMVMX
#define LINUX_SEMUME LINUX_SEMOPM
#define LINUX_SEMMNU LINUX_SEMMNS
#define LINUX_SEMMAP LINUX_SEMMNS
#define LINUX_SEMUSZ 20

struct linux_sembuf {
	uint16_t sem_num;
	int16_t sem_op;
	int16_t sem_flg;
};

struct linux_semid64_ds {
	struct linux_ipc64_perm sem_perm;
	int64_t sem_otime;
	uint64_t unused1_;
	int64_t sem_ctime;
	uint64_t unused2_;
	uint64_t sem_nsems;
	uint64_t unused3_, unused4_;
};

struct linux_seminfo {
	int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume,
		semusz, semvmx, semaem;
};

/* Message queues. */

#define LINUX_MSGMNI 32000
#define LINUX_MSGMAX 8192
#define LINUX_MSGMNB 16384
#define LINUX_MSGPOOL (LINUX_MSGMNI * LINUX_MSGMNB / 1024)
#define LINUX_MSGTQL LINUX_MSGMNB
#define LINUX_MSGMAP LINUX_MSGMNB
#define LINUX_MSGSSZ 16
#define LINUX_MSGSEG 0xffff /* (MSGPOOL * 1024) / MSGSSZ, capped */

struct linux_msqid64_ds {
	struct linux_ipc64_perm msg_perm;
	int64_t msg_stime, msg_rtime, msg_ctime;
	uint64_t msg_cbytes, msg_qnum, msg_qbytes;
	int32_t msg_lspid, msg_lrpid;
	uint64_t unused4_, unused5_;
};

struct linux_msginfo {
	int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
	uint16_t msgseg;
};

/* Shared memory. */
#define LINUX_SHM_HUGETLB 04000
#define LINUX_SHM_DEST 01000   /* in shm_perm.mode: removed, still attached */
#define LINUX_SHM_LOCKED 02000
#define LINUX_SHMMIN 1ULL
#define LINUX_SHMMNI 4096
#define LINUX_SHMMAX (UINT64_MAX - (1ULL << 24))
#define LINUX_SHMALL (UINT64_MAX - (1ULL << 24)) /* in pages */
#define LINUX_SHMSEG LINUX_SHMMNI

struct linux_shmid64_ds {
	struct linux_ipc64_perm shm_perm;
	uint64_t shm_segsz;
	int64_t shm_atime, shm_dtime, shm_ctime;
	int32_t shm_cpid, shm_lpid;
	uint64_t shm_nattch;
	uint64_t unused4_, unused5_;
};

struct linux_shminfo64 {
	uint64_t shmmax, shmmin, shmmni, shmseg, shmall;
	uint64_t unused1_, unused2_, unused3_, unused4_;
};

struct linux_shm_info {
	int32_t used_ids;
	uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

#endif
