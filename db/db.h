/*
 * The database: open (creating the file 0600), connection pragmas, schema
 * migrations from sql/migrations/ (PRAGMA user_version, one transaction
 * each), the rule views from sql/views/, and small statement helpers.
 */
#ifndef PALSCOPE_DB_DB_H
#define PALSCOPE_DB_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define PALSCOPE_APPLICATION_ID 0x50414c53 /* "PALS" */

enum {
	DB_CREATE = 1 << 0,	/* create the file if missing */
	DB_READONLY = 1 << 1,	/* open read-only; refuses to migrate */
	DB_SNAPSHOTS = 1 << 2,	/* the command reads the status snapshots: build missing ones */
};

/* How long a statement waits for another process's lock before it fails (SQLITE_BUSY). */
#define DB_BUSY_TIMEOUT_MS 5000

struct db {
	sqlite3 *h;
	char *path;
};

#define DB_INIT { NULL, NULL }

/*
 * Open path and make it ready (db/ready.c): db_connect, then pending
 * migrations, the views, and the per-run summaries they read brought up to
 * date (db/summary.h); with DB_SNAPSHOTS also the status snapshots (diff,
 * trend, why --since, report html). What every command that reads the rule
 * views calls.
 */
int db_open(struct db *db, const char *path, unsigned flags, struct err *err);

/*
 * Open path as it is: connection pragmas, and a database that is not
 * palscope's, or newer than this binary, refused. No migration, no view or
 * summary change: `db version` and `db runs` read a file without writing it.
 */
int db_connect(struct db *db, const char *path, unsigned flags, struct err *err);
void db_close(struct db *db);

/*
 * The connection's last error in words that say what happened: SQLite's message, and
 * for a locked, full, read-only or corrupt file what that means, naming the file and
 * its directory. Points into a static buffer the next call overwrites.
 */
const char *db_errmsg(struct db *db);

/* The file's PRAGMA user_version. */
int db_user_version(struct db *db, int *version, struct err *err);

/*
 * The "make ready" steps db_open runs after db_connect. db_migrate applies the
 * pending migrations (one transaction each; refused on a read-only file) and
 * counts them in *applied. db_views_apply recreates the views when the embedded
 * text changed, calling on_change (may be NULL) inside the same transaction.
 */
int db_migrate(struct db *db, int *applied, struct err *err);
int db_views_apply(struct db *db, int (*on_change)(struct db *, struct err *), struct err *err);

/* The highest migration number embedded in this binary. */
int db_schema_version(void);

int db_exec(struct db *db, const char *sql, struct err *err);
int db_begin(struct db *db, struct err *err);	/* BEGIN IMMEDIATE */
int db_commit(struct db *db, struct err *err);
void db_rollback(struct db *db);

/*
 * Prepare one statement: from an embedded file when text starts with "@"
 * ("@queries/x.sql"), otherwise the text itself. Trailing text other than
 * whitespace or comments is an error.
 */
int db_prepare(struct db *db, const char *text, sqlite3_stmt **out, struct err *err);

/* Bind by parameter name (":name"); a NULL value binds NULL. Unknown names assert. */
void db_bind_text(sqlite3_stmt *st, const char *name, const char *value);
void db_bind_int(sqlite3_stmt *st, const char *name, int64_t value);
void db_bind_double(sqlite3_stmt *st, const char *name, double value);

/*
 * A parameter of db_exec_script: bound as text, or as an integer when text is NULL, in each
 * statement that names it (statements need not name every parameter).
 */
struct db_param {
	const char *name;	/* ":name" */
	const char *text;
	int64_t value;
};

/* Run every statement of an embedded file ("scripts/x.sql") in order, with these parameters. */
int db_exec_script(struct db *db, const char *name, const struct db_param *params, size_t n,
		   struct err *err);

/* sqlite3_step for statements that return no rows; resets the statement. */
int db_step_done(struct db *db, sqlite3_stmt *st, struct err *err);

#endif
