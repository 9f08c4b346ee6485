/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scm.c: control messages (see scm.h). The guest's control buffer is
 * hostile input: every cmsg length is checked against what is left of the
 * buffer before it is used, as Linux's CMSG_OK and __cmsg_nxthdr do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/capability.h"
#include "sentry/kernel/task.h"
#include "sentry/net/scm.h"
#include "sentry/net/socket.h"
#include "sentry/vfs/vfs.h"

#define OVERFLOW_UID 65534u

/* Lists whose files are yet to be put (see scm_fp_release). */
static TAILQ_HEAD(, scm_fp_list) deferred = TAILQ_HEAD_INITIALIZER(deferred);
static bool draining;

void scm_fp_release(struct scm_fp_list *fpl)
{
	if (!fpl)
		return;
	TAILQ_INSERT_TAIL(&deferred, fpl, link);
	if (draining)
		return;
	draining = true;
	while ((fpl = TAILQ_FIRST(&deferred))) {
		TAILQ_REMOVE(&deferred, fpl, link);
		for (unsigned i = 0; i < fpl->count; i++)
			file_put(fpl->fp[i]);
		free(fpl);
	}
	draining = false;
}

static struct scm_fp_list *fp_alloc(unsigned count)
{
	struct scm_fp_list *fpl =
		calloc(1, sizeof(*fpl) + count * sizeof(fpl->fp[0]));

	if (fpl)
		fpl->count = count;
	return fpl;
}

struct scm_fp_list *scm_fp_dup(const struct scm_fp_list *src)
{
	struct scm_fp_list *fpl = fp_alloc(src->count);

	if (!fpl)
		return NULL;
	fpl->user = src->user;
	for (unsigned i = 0; i < src->count; i++) {
		fpl->fp[i] = src->fp[i];
		file_get(fpl->fp[i]);
	}
	return fpl;
}

void scm_destroy(struct scm_cookie *scm)
{
	scm_fp_release(scm->fp);
	scm->fp = NULL;
}

/* scm_check_creds: a sender may claim only its own pid and one of its own
 * uids and gids, unless it holds CAP_SYS_ADMIN / CAP_SETUID /
 * CAP_SETGID; -1 is no id at all. */
static int check_creds(struct task *t, const struct linux_ucred *uc)
{
	const struct creds *c = t->creds;

	if (uc->uid == (uint32_t)-1 || uc->gid == (uint32_t)-1)
		return -EINVAL;
	if ((uc->pid == t->tg->tgid || creds_capable(c, LINUX_CAP_SYS_ADMIN)) &&
	    (uc->uid == c->uid || uc->uid == c->euid || uc->uid == c->suid ||
	     creds_capable(c, LINUX_CAP_SETUID)) &&
	    (uc->gid == c->gid || uc->gid == c->egid || uc->gid == c->sgid ||
	     creds_capable(c, LINUX_CAP_SETGID)))
		return 0;
	return -EPERM;
}

/* SCM_RIGHTS: take a reference to each descriptor's file (scm_fp_copy). */
static int fp_copy(struct task *t, const char *data, uint64_t cmlen,
		   struct file **tmp, unsigned *n)
{
	uint64_t num = (cmlen - LINUX_CMSG_HDRLEN) / sizeof(int32_t);

	if (num == 0)
		return 0;
	if (num > LINUX_SCM_MAX_FD || *n + num > LINUX_SCM_MAX_FD)
		return -EINVAL;
	for (uint64_t i = 0; i < num; i++) {
		int32_t fd;
		struct file *f;

		memcpy(&fd, data + i * sizeof(fd), sizeof(fd));
		f = fd < 0 ? NULL : fd_get(t, fd);
		if (!f)
			return -EBADF;
		tmp[(*n)++] = f;
	}
	return 0;
}

/* SCM_CREDENTIALS: checked, and naming a live (or zombie) process. */
static int creds_copy(struct task *t, const char *data, uint64_t cmlen,
		      struct scm_cookie *scm)
{
	struct linux_ucred uc;
	int err;

	if (cmlen != LINUX_CMSG_LEN(sizeof(uc)))
		return -EINVAL;
	memcpy(&uc, data, sizeof(uc));
	err = check_creds(t, &uc);
	if (err)
		return err;
	if (!task_by_tid(uc.pid) && !tg_by_tgid(uc.pid))
		return -ESRCH;
	scm->has_creds = true;
	scm->creds = uc;
	return 0;
}

int scm_send(struct task *t, struct socket *s, const void *ctl, uint64_t len,
	     struct scm_cookie *scm)
{
	struct file *tmp[LINUX_SCM_MAX_FD];
	const char *base = ctl;
	uint64_t off = 0;
	unsigned n = 0;
	int err = 0;

	memset(scm, 0, sizeof(*scm));
	while (len >= LINUX_CMSG_HDRLEN && off <= len - LINUX_CMSG_HDRLEN) {
		struct linux_cmsghdr h;
		const char *data = base + off + LINUX_CMSG_HDRLEN;

		memcpy(&h, base + off, sizeof(h));
		err = -EINVAL;
		if (h.len < LINUX_CMSG_HDRLEN || h.len > len - off)
			goto fail;
		if (h.level == LINUX_SOL_SOCKET) {
			switch (h.type) {
			case LINUX_SCM_RIGHTS:
				if (s->family != LINUX_AF_UNIX)
					goto fail;
				err = fp_copy(t, data, h.len, tmp, &n);
				break;
			case LINUX_SCM_CREDENTIALS:
				err = creds_copy(t, data, h.len, scm);
				break;
			default:
				goto fail;
			}
			if (err)
				goto fail;
		}
		off += LINUX_CMSG_ALIGN(h.len);
	}
	if (n) {
		scm->fp = fp_alloc(n);
		err = -ENOMEM;
		if (!scm->fp)
			goto fail;
		scm->fp->user = t->creds->uid;
		memcpy(scm->fp->fp, tmp, n * sizeof(tmp[0]));
	}
	return 0;
fail:
	for (unsigned i = 0; i < n; i++)
		file_put(tmp[i]);
	memset(scm, 0, sizeof(*scm));
	return err;
}

int scm_put_cmsg(struct sock_msg *msg, int level, int type, const void *data,
		 uint32_t len)
{
	uint64_t cmlen = LINUX_CMSG_LEN(len);
	struct linux_cmsghdr h;

	if (!msg->control || msg->controllen < LINUX_CMSG_HDRLEN) {
		msg->flags |= LINUX_MSG_CTRUNC;
		return 0;
	}
	if (msg->controllen < cmlen) {
		msg->flags |= LINUX_MSG_CTRUNC;
		cmlen = msg->controllen;
	}
	h.len = cmlen;
	h.level = level;
	h.type = type;
	if (task_copy_out(msg->t, msg->control, &h, sizeof(h)) ||
	    task_copy_out(msg->t, msg->control + LINUX_CMSG_HDRLEN, data,
			  cmlen - LINUX_CMSG_HDRLEN))
		return -EFAULT;
	cmlen = LINUX_CMSG_SPACE(len);
	if (msg->controllen < cmlen)
		cmlen = msg->controllen;
	msg->control += cmlen;
	msg->controllen -= cmlen;
	return 0;
}

/*
 * scm_detach_fds: as many files as the buffer holds become descriptors of
 * the receiver (each written to the buffer first, so a fault installs
 * nothing behind the guest's back); the list, with the files that did not
 * fit, is released.
 */
static void detach_fds(struct sock_msg *msg, struct scm_fp_list *fpl)
{
	unsigned fdflags =
		(msg->flags & LINUX_MSG_CMSG_CLOEXEC) ? FD_CLOEXEC_FLAG : 0;
	uint64_t data = msg->control + LINUX_CMSG_HDRLEN;
	uint64_t fdmax = 0;
	unsigned i;

	if (msg->control && msg->controllen > LINUX_CMSG_HDRLEN)
		fdmax = (msg->controllen - LINUX_CMSG_HDRLEN) / sizeof(int32_t);
	if (fdmax > fpl->count)
		fdmax = fpl->count;
	for (i = 0; i < fdmax; i++) {
		int32_t fd = 0;

		if (task_copy_out(msg->t, data + i * sizeof(fd), &fd,
				  sizeof(fd)))
			break;
		fd = fd_install(msg->t, fpl->fp[i], fdflags);
		if (fd < 0)
			break;
		if (task_copy_out(msg->t, data + i * sizeof(fd), &fd,
				  sizeof(fd))) {
			fd_close(msg->t, fd);
			break;
		}
	}
	if (i > 0) {
		struct linux_cmsghdr h = {
			.len = LINUX_CMSG_LEN(i * sizeof(int32_t)),
			.level = LINUX_SOL_SOCKET,
			.type = LINUX_SCM_RIGHTS,
		};
		uint64_t space = LINUX_CMSG_SPACE(i * sizeof(int32_t));

		if (!task_copy_out(msg->t, msg->control, &h, sizeof(h))) {
			if (msg->controllen < space)
				space = msg->controllen;
			msg->control += space;
			msg->controllen -= space;
		}
	}
	if (i < fpl->count)
		msg->flags |= LINUX_MSG_CTRUNC;
	scm_fp_release(fpl);
}

void scm_recv(struct socket *s, struct sock_msg *msg, struct scm_cookie *scm)
{
	if (s->family != LINUX_AF_UNIX) {
		/* Other families' messages carry neither (scm_recv is
		 * AF_UNIX's in Linux). */
		scm_destroy(scm);
		return;
	}
	if (!msg->control || !msg->t) {
		if ((s->flags & SOCKF_PASSCRED) || scm->fp)
			msg->flags |= LINUX_MSG_CTRUNC;
		scm_destroy(scm);
		return;
	}
	if (s->flags & SOCKF_PASSCRED) {
		struct linux_ucred uc = scm->creds;

		if (uc.uid == (uint32_t)-1)
			uc.uid = OVERFLOW_UID;
		if (uc.gid == (uint32_t)-1)
			uc.gid = OVERFLOW_UID;
		scm_put_cmsg(msg, LINUX_SOL_SOCKET, LINUX_SCM_CREDENTIALS, &uc,
			     sizeof(uc));
	}
	if (scm->fp) {
		detach_fds(msg, scm->fp);
		scm->fp = NULL;
	}
	scm_destroy(scm);
}
