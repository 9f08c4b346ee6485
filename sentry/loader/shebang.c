/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shebang.c: "#!" lines, parsed exactly as Linux's fs/binfmt_script.c
 * (5.0 and later): whatever a script's first line says, the kernel and
 * the sandbox must agree on which interpreter runs it.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "sentry/loader/loader.h"

static bool spacetab(char c)
{
	return c == ' ' || c == '\t';
}

static const char *next_non_spacetab(const char *first, const char *last)
{
	for (; first <= last; first++)
		if (!spacetab(*first))
			return first;
	return NULL;
}

static const char *next_terminator(const char *first, const char *last)
{
	for (; first <= last; first++)
		if (spacetab(*first) || !*first)
			return first;
	return NULL;
}

/* Copy the NUL-terminated string at s (ending at `end` at the latest). */
static int copy_out(const char *s, const char *end, char *dst, size_t size)
{
	size_t n = 0;

	while (s + n < end && s[n])
		n++;
	if (n >= size)
		return -ENOEXEC;
	memcpy(dst, s, n);
	dst[n] = 0;
	return 0;
}

int loader_parse_shebang(const char *buf, size_t len, char *interp,
			 size_t interp_size, char *arg, size_t arg_size)
{
	/* Linux reads the first 256 bytes, NUL-padded. */
	char b[LOADER_BINPRM_BUF_SIZE] = {0};
	const char *buf_end = b + sizeof(b) - 1;
	const char *i_name, *i_sep, *i_arg, *i_end;
	int err;

	if (!interp_size || !arg_size)
		return -ENOEXEC;
	memcpy(b, buf, len < sizeof(b) ? len : sizeof(b));
	if (b[0] != '#' || b[1] != '!')
		return -ENOEXEC;
	/* A newline says nothing is truncated; without one, the path must
	 * end (blank or NUL) within the buffer. */
	i_end = memchr(b, '\n', sizeof(b));
	if (!i_end) {
		i_end = next_non_spacetab(b + 2, buf_end);
		if (!i_end)
			return -ENOEXEC; /* nothing but blanks */
		if (!next_terminator(i_end, buf_end))
			return -ENOEXEC; /* the path may be cut */
		i_end = buf_end;
	}
	while (spacetab(i_end[-1]))
		i_end--;
	i_name = next_non_spacetab(b + 2, i_end);
	if (!i_name || i_name == i_end)
		return -ENOEXEC; /* no interpreter */
	i_arg = NULL;
	i_sep = next_terminator(i_name, i_end);
	if (i_sep && *i_sep != '\0')
		i_arg = next_non_spacetab(i_sep, i_end);
	/* The name ends at the separator; the argument runs to i_end. */
	err = copy_out(i_name, i_sep && i_sep < i_end ? i_sep : i_end, interp,
		       interp_size);
	if (err)
		return err;
	if (i_arg && i_arg < i_end)
		return copy_out(i_arg, i_end, arg, arg_size);
	arg[0] = 0;
	return 0;
}
