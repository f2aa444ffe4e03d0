/*
 * Messages on stderr. Levels: -q errors only, default warnings, -v info,
 * -vv debug. Secrets are never passed to these functions.
 */
#ifndef PALSCOPE_COMMON_LOG_H
#define PALSCOPE_COMMON_LOG_H

#include "common/err.h"

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

extern int log_level;

void log_msg(enum log_level lvl, const char *fmt, ...) PRINTFLIKE(2, 3);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)                                                                              \
	do {                                                                                       \
		if (log_level >= LOG_WARN)                                                         \
			log_msg(LOG_WARN, __VA_ARGS__);                                            \
	} while (0)
#define log_info(...)                                                                              \
	do {                                                                                       \
		if (log_level >= LOG_INFO)                                                         \
			log_msg(LOG_INFO, __VA_ARGS__);                                            \
	} while (0)
#define log_debug(...)                                                                             \
	do {                                                                                       \
		if (log_level >= LOG_DEBUG)                                                        \
			log_msg(LOG_DEBUG, __VA_ARGS__);                                           \
	} while (0)

#endif
