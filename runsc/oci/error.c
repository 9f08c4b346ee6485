/* SPDX-License-Identifier: Apache-2.0 */
/* error.c: see error.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "runsc/oci/error.h"

int runsc_error_make(runsc_error_t *err, int errno_, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	if (!err || *err)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (errno_ && n >= 0 && (size_t)n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - (size_t)n, ": %s",
			 strerror(errno_ < 0 ? -errno_ : errno_));
	*err = calloc(1, sizeof(**err));
	if (!*err)
		return -1;
	(*err)->errno_ = errno_ < 0 ? -errno_ : errno_;
	(*err)->msg = strdup(buf);
	return -1;
}

int runsc_error_wrap(runsc_error_t *err, const char *fmt, ...)
{
	char buf[512], *msg;
	va_list ap;

	if (!err || !*err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (asprintf(&msg, "%s: %s", buf, (*err)->msg ? (*err)->msg : "?") < 0)
		return -1;
	free((*err)->msg);
	(*err)->msg = msg;
	return -1;
}

void runsc_error_release(runsc_error_t *err)
{
	if (!err || !*err)
		return;
	free((*err)->msg);
	free(*err);
	*err = NULL;
}

int runsc_error_report(runsc_error_t *err)
{
	const char *msg = err && *err && (*err)->msg ? (*err)->msg
						       : "unknown error";

	/* Once on stderr for a person; the log (podman reads it with
	 * --log-format json) gets the same line when it is a file. */
	fprintf(stderr, "runsc: %s\n", msg);
	if (log_get_fd() != 2)
		log_error("%s", msg);
	runsc_error_release(err);
	return 1;
}
