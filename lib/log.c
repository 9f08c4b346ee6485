/* SPDX-License-Identifier: Apache-2.0 */
/* log.c: see log.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

static int log_fd = 2;
static enum log_level log_level = LOG_WARN;
static const char *log_tag = "cvisor";
static bool log_json;

static const char *const level_names[] = { "error", "warning", "info",
					   "debug" };

void log_set_fd(int fd)
{
	log_fd = fd;
}

int log_get_fd(void)
{
	return log_fd;
}

void log_set_level(enum log_level l)
{
	log_level = l;
}

bool log_enabled(enum log_level l)
{
	return l <= log_level;
}

void log_set_tag(const char *tag)
{
	log_tag = tag;
}

void log_set_json(bool on)
{
	log_json = on;
}

/* Append `s` to buf as the inside of a JSON string. */
static size_t json_escape(char *buf, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s && n + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(buf + n, cap - n, "\\u%04x", c);
		} else {
			buf[n++] = (char)c;
		}
	}
	buf[n] = '\0';
	return n;
}

void log_msg(enum log_level l, const char *fmt, ...)
{
	char msg[2048], line[4608];
	struct timespec ts;
	va_list ap;
	int n, saved = errno;

	if (!log_enabled(l) || log_fd < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	if (log_json) {
		char esc[4096];
		struct tm tm;

		json_escape(esc, sizeof(esc), msg);
		gmtime_r(&ts.tv_sec, &tm);
		n = snprintf(line, sizeof(line),
			     "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":"
			     "\"%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ\"}\n",
			     level_names[l], esc, tm.tm_year + 1900,
			     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			     tm.tm_sec, ts.tv_nsec);
	} else {
		n = snprintf(line, sizeof(line), "%s: %s%s%s\n", log_tag,
			     l == LOG_INFO ? "" : level_names[l],
			     l == LOG_INFO ? "" : ": ", msg);
	}
	if (n > (int)sizeof(line))
		n = sizeof(line);
	if (n > 0 && write(log_fd, line, (size_t)n) < 0) {
		/* Nowhere left to report a failed log write. */
	}
	errno = saved;
}
