/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.h: one logging facility for every cvisor process.
 *
 * Each message is formatted into one buffer and written with a single
 * write(2), so lines from many threads never interleave.
 */
#ifndef CVISOR_LOG_H
#define CVISOR_LOG_H

#include <stdbool.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Where messages go (default: stderr at LOG_WARN) and how they look. */
void log_set_fd(int fd);
int log_get_fd(void);
void log_set_level(enum log_level);
bool log_enabled(enum log_level);
/* A prefix for every line, e.g. "runsc" or "sentry". */
void log_set_tag(const char *tag);
/* Emit JSON lines ({"level":..,"msg":..,"time":..}) instead of text. */
void log_set_json(bool);

void log_msg(enum log_level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                                      \
	do {                                                                \
		if (log_enabled(LOG_DEBUG))                                 \
			log_msg(LOG_DEBUG, __VA_ARGS__);                    \
	} while (0)

#endif
