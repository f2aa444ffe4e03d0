/*
 * Errors: functions that can fail return 0 or a negative RC_* code and fill
 * a caller-owned struct err with one line of text (lowercase, no trailing
 * period). Only cli/ prints them.
 */
#ifndef PALSCOPE_COMMON_ERR_H
#define PALSCOPE_COMMON_ERR_H

#define PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))

enum {
	RC_OK = 0,
	RC_ERROR = -1,
	RC_NOTFOUND = -2,
	RC_USAGE = -3,
	RC_IO = -4,
	RC_DB = -5,
	RC_HTTP = -6,
	RC_AUTH = -7,
	RC_PARSE = -8,
	RC_THROTTLED = -9,
	RC_INPUT = -10,	/* a file or value the user gave cannot be read or is not valid */
};

/*
 * How the codes reach the exit status (cli/main.c, cli_exit_status, the one place):
 * RC_USAGE, RC_INPUT, RC_PARSE -> 2 (usage or bad input); RC_DB, RC_IO -> 3 (the
 * database or a file palscope writes cannot be used: locked, full, read-only, corrupt);
 * every other code -> 1 (a runtime failure).
 */

struct err {
	int code;
	char msg[512];
};

#define ERR_INIT { 0, { 0 } }

/* Set the message and code; returns code so `return err_set(...)` works. */
int err_set(struct err *e, int code, const char *fmt, ...) PRINTFLIKE(3, 4);

/* Prepend context ("tenant 'x': ") to the existing message. */
void err_prefix(struct err *e, const char *fmt, ...) PRINTFLIKE(2, 3);

#endif
