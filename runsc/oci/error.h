/* SPDX-License-Identifier: Apache-2.0 */
/*
 * error.h: runsc's error out-parameter (after crun's libcrun_error_t).
 *
 * A failing function fills *err with one line saying what went wrong and
 * returns -1; its caller may wrap the message with context; the command
 * prints it once, as "runsc: ...", and exits 1. Nothing is printed on the
 * way up, so a failure is reported exactly once.
 */
#ifndef CVISOR_RUNSC_ERROR_H
#define CVISOR_RUNSC_ERROR_H

struct runsc_error {
	int errno_;  /* the errno behind it, 0 if none */
	char *msg;
};
typedef struct runsc_error *runsc_error_t;

/* Fill *err (if it is still empty) and return -1. errno_ 0 adds nothing;
 * otherwise ": strerror(errno_)" is appended. */
int runsc_error_make(runsc_error_t *err, int errno_, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix the message with context ("creating the cgroup: ...");
 * returns -1. */
int runsc_error_wrap(runsc_error_t *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print "runsc: MSG" on stderr and to the log, free it, return 1. */
int runsc_error_report(runsc_error_t *err);
void runsc_error_release(runsc_error_t *err);

#endif
