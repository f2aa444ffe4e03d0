/*
 * The database: open (creating the file 0600), connection pragmas, schema
 * migrations from sql/migrations/ (PRAGMA user_version, one transaction
 * each), the rule views from sql/views/, and small statement helpers.
 */
#ifndef PALSCOPE_DB_DB_H
#define PALSCOPE_DB_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

#define PALSCOPE_APPLICATION_ID 0x50414c53 /* "PALS" */

enum {
	DB_CREATE = 1 << 0,	/* create the file if missing */
	DB_READONLY = 1 << 1,	/* open read-only; refuses to migrate */
};

struct db {
	sqlite3 *h;
	char *path;
};

#define DB_INIT { NULL, NULL }

/*
 * Open path, apply pending migrations, (re)create the views and bring the
 * per-run summaries they read up to date (db/summary.h). A database newer
 * than this binary, or one that is not palscope's, is refused.
 */
int db_open(struct db *db, const char *path, unsigned flags, struct err *err);
void db_close(struct db *db);

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

/* sqlite3_step for statements that return no rows; resets the statement. */
int db_step_done(struct db *db, sqlite3_stmt *st, struct err *err);

#endif
