/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs_context.c: a process's root, working directory and umask (shared by
 * CLONE_FS, copied by fork).
 */
#include <errno.h>
#include <stdlib.h>

#include "sentry/vfs/internal.h"

int fs_context_new(const struct path *root, struct fs_context **out)
{
	struct fs_context *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return -ENOMEM;
	fs->refs = 1;
	fs->root = *root;
	path_get(&fs->root);
	fs->cwd = *root;
	path_get(&fs->cwd);
	fs->umask = 022;
	*out = fs;
	return 0;
}

void fs_context_get(struct fs_context *fs)
{
	fs->refs++;
}

void fs_context_put(struct fs_context *fs)
{
	if (!fs || --fs->refs)
		return;
	path_put(&fs->root);
	path_put(&fs->cwd);
	free(fs);
}

int fs_context_copy(struct fs_context *src, struct fs_context **out)
{
	struct fs_context *fs;
	int err = fs_context_new(&src->root, &fs);

	if (err)
		return err;
	fs_context_set_cwd(fs, &src->cwd);
	fs->umask = src->umask;
	*out = fs;
	return 0;
}

void fs_context_set_cwd(struct fs_context *fs, const struct path *p)
{
	struct path old = fs->cwd;

	fs->cwd = *p;
	path_get(&fs->cwd);
	path_put(&old);
}

void fs_context_set_root(struct fs_context *fs, const struct path *p)
{
	struct path old = fs->root;

	fs->root = *p;
	path_get(&fs->root);
	path_put(&old);
}
