#include "db/db.h"
#include "db/sql_embed.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The directory of path ("." for a bare file name) into out. */
static void
dir_of(const char *path, char *out, size_t n)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	if (slash == NULL)
		snprintf(out, n, ".");
	else if (slash == path)
		snprintf(out, n, "/");
	else
		snprintf(out, n, "%.*s", (int)(slash - path), path);
}

const char *
db_errmsg(struct db *db)
{
	static char buf[1024];
	const char *msg = db->h ? sqlite3_errmsg(db->h) : "out of memory";
	int code = db->h ? sqlite3_extended_errcode(db->h) & 0xff : SQLITE_NOMEM;
	int sys = db->h ? sqlite3_system_errno(db->h) : 0;
	const char *path = db->path ? db->path : "?";
	char dir[512];

	dir_of(db->path, dir, sizeof(dir));
	if (code == SQLITE_IOERR && sys == ENOSPC)
		code = SQLITE_FULL;
	else if (code == SQLITE_IOERR && sys == EROFS)
		code = SQLITE_READONLY;
	switch (code) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		snprintf(buf, sizeof(buf),
			 "%s: another process holds a lock on it (waited %d s); try again when it "
			 "has finished",
			 msg, DB_BUSY_TIMEOUT_MS / 1000);
		break;
	case SQLITE_FULL:
		snprintf(buf, sizeof(buf), "%s: no space left on device for '%s' (directory '%s')",
			 msg, path, dir);
		break;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
		/* The journal (-wal, -shm) lives next to the file: say which of them is the cause. */
		if (access(dir, W_OK) != 0)
			snprintf(buf, sizeof(buf), "%s: directory '%s' of '%s' cannot be written: %s",
				 msg, dir, path, strerror(errno));
		else if (db->path && access(db->path, W_OK) != 0)
			snprintf(buf, sizeof(buf), "%s: '%s' (directory '%s') cannot be written: %s",
				 msg, path, dir, strerror(errno));
		else
			snprintf(buf, sizeof(buf), "%s: '%s' or its journal in directory '%s'%s%s", msg,
				 path, dir, sys ? ": " : "", sys ? strerror(sys) : "");
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		snprintf(buf, sizeof(buf),
			 "%s: the file is damaged or is not a database (restore it from a backup, "
			 "or give another --db)",
			 msg);
		break;
	case SQLITE_IOERR:
		snprintf(buf, sizeof(buf), "%s%s%s", msg, sys ? ": " : "", sys ? strerror(sys) : "");
		break;
	default:
		snprintf(buf, sizeof(buf), "%s", msg);
	}
	return buf;
}

static int
migration_number(const char *name)
{
	/* "migrations/0001_init.sql" -> 1; anything else -> 0 */
	if (strncmp(name, "migrations/", 11) != 0 || !isdigit((unsigned char)name[11]))
		return 0;
	return atoi(name + 11);
}

int
db_schema_version(void)
{
	int max = 0;

	for (const struct sql_file *f = sql_files; f->name; f++) {
		int n = migration_number(f->name);
		if (n > max)
			max = n;
	}
	return max;
}

int
db_exec(struct db *db, const char *sql, struct err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(err, RC_DB, "database '%s': %s", db->path, db_errmsg(db));
		sqlite3_free(msg);
		return RC_DB;
	}
	return 0;
}

int
db_begin(struct db *db, struct err *err)
{
	return db_exec(db, "BEGIN IMMEDIATE", err);
}

int
db_commit(struct db *db, struct err *err)
{
	return db_exec(db, "COMMIT", err);
}

void
db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

static int
pragma_int(struct db *db, const char *sql, int *out, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->h, sql, -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = 0;
	} else {
		rc = err_set(err, RC_DB, "database '%s': %s", db->path, db_errmsg(db));
	}
	sqlite3_finalize(st);
	return rc;
}

/* The file's schema version after checking it is palscope's and not newer than this binary. */
static int
check_identity(struct db *db, int *version, struct err *err)
{
	int appid = 0, tables = 0, rc;
	int target = db_schema_version();

	*version = 0;
	if ((rc = pragma_int(db, "PRAGMA application_id", &appid, err)) < 0 ||
	    (rc = pragma_int(db, "PRAGMA user_version", version, err)) < 0 ||
	    (rc = pragma_int(db, "SELECT count(*) FROM sqlite_schema", &tables, err)) < 0)
		return rc;
	if (appid != PALSCOPE_APPLICATION_ID && !(appid == 0 && tables == 0 && *version == 0))
		return err_set(err, RC_DB, "'%s' is not a palscope database", db->path);
	if (*version > target)
		return err_set(err, RC_DB,
			       "database '%s' has schema version %d, newer than this palscope (%d); "
			       "upgrade palscope",
			       db->path, *version, target);
	return 0;
}

int
db_user_version(struct db *db, int *version, struct err *err)
{
	return pragma_int(db, "PRAGMA user_version", version, err);
}

static int
bump_schema_version(struct db *db, struct err *err)
{
	int v = 0, rc;

	if ((rc = pragma_int(db, "PRAGMA schema_version", &v, err)) < 0)
		return rc;
	char *sql = xasprintf("PRAGMA writable_schema = ON; PRAGMA schema_version = %d; "
			      "PRAGMA writable_schema = OFF;",
			      v + 1);
	rc = db_exec(db, sql, err);
	free(sql);
	return rc;
}

int
db_migrate(struct db *db, int *applied, struct err *err)
{
	int version = 0, rc;
	int target = db_schema_version();
	bool readonly = sqlite3_db_readonly(db->h, "main") == 1;

	*applied = 0;
	if ((rc = check_identity(db, &version, err)) < 0)
		return rc;
	if (version == target)
		return 0;
	if (readonly)
		return err_set(err, RC_DB, "database '%s' needs migration %d -> %d but is read-only",
			       db->path, version, target);

	for (int n = version + 1; n <= target; n++) {
		const struct sql_file *step = NULL;
		for (const struct sql_file *f = sql_files; f->name; f++)
			if (migration_number(f->name) == n)
				step = f;
		if (step == NULL)
			return err_set(err, RC_DB, "migration %04d is missing from this build", n);
		char *tail = xasprintf("PRAGMA application_id = %d; PRAGMA user_version = %d;",
				       PALSCOPE_APPLICATION_ID, n);
		rc = db_begin(db, err);
		if (rc == 0)
			rc = db_exec(db, step->text, err);
		/*
		 * A migration that edits a stored table definition (PRAGMA writable_schema, as
		 * https://www.sqlite.org/lang_altertable.html documents for changes that leave
		 * the file's content valid) needs schema_version incremented in the same
		 * transaction, so every connection reloads the schema.
		 */
		if (rc == 0 && strstr(step->text, "PRAGMA writable_schema = ON"))
			rc = bump_schema_version(db, err);
		if (rc == 0)
			rc = db_exec(db, tail, err);
		if (rc == 0)
			rc = db_commit(db, err);
		free(tail);
		if (rc < 0) {
			db_rollback(db);
			err_prefix(err, "migration %04d: ", n);
			return rc;
		}
		(*applied)++;
	}
	return 0;
}

/*
 * Views hold the attribution rules. They are derived, not data, so they are
 * rebuilt whenever the embedded text differs from what the database holds.
 */
int
db_views_apply(struct db *db, int (*on_change)(struct db *, struct err *), struct err *err)
{
	struct {
		char *p;
		size_t len;
	} all = { NULL, 0 };
	sqlite3_stmt *st = NULL;
	int rc = 0, same = 0;

	for (const struct sql_file *f = sql_files; f->name; f++) {
		if (strncmp(f->name, "views/", 6) != 0)
			continue;
		all.p = xrealloc(all.p, all.len + f->len + 2);
		memcpy(all.p + all.len, f->text, f->len);
		all.len += f->len;
		all.p[all.len++] = '\n';
		all.p[all.len] = '\0';
	}
	if (all.p == NULL)
		return 0;

	if (sqlite3_prepare_v2(db->h, "SELECT value FROM palscope_meta WHERE key = 'views'", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		same = v && strcmp(v, all.p) == 0;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (same || sqlite3_db_readonly(db->h, "main") == 1)
		goto out;

	rc = db_begin(db, err);
	if (rc < 0)
		goto out;
	/* Drop every view first: views may depend on each other in any order. */
	for (;;) {
		char *name = NULL;
		if (sqlite3_prepare_v2(db->h, "SELECT name FROM sqlite_schema WHERE type = 'view'", -1,
				       &st, NULL) != SQLITE_OK)
			break;
		if (sqlite3_step(st) == SQLITE_ROW)
			name = sqlite3_mprintf("DROP VIEW \"%w\"", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		st = NULL;
		if (name == NULL)
			break;
		rc = db_exec(db, name, err);
		sqlite3_free(name);
		if (rc < 0)
			goto out_rollback;
	}
	for (const struct sql_file *f = sql_files; rc == 0 && f->name; f++) {
		if (strncmp(f->name, "views/", 6) != 0)
			continue;
		rc = db_exec(db, f->text, err);
		if (rc < 0)
			err_prefix(err, "%s: ", f->name);
	}
	if (rc < 0)
		goto out_rollback;
	if (sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO palscope_meta VALUES ('views', ?)", -1,
			       &st, NULL) != SQLITE_OK) {
		rc = err_set(err, RC_DB, "database '%s': %s", db->path, db_errmsg(db));
		goto out_rollback;
	}
	sqlite3_bind_text(st, 1, all.p, (int)all.len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = err_set(err, RC_DB, "database '%s': %s", db->path, db_errmsg(db));
		goto out_rollback;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (on_change && (rc = on_change(db, err)) < 0)
		goto out_rollback;
	rc = db_commit(db, err);
	goto out;
out_rollback:
	sqlite3_finalize(st);
	st = NULL;
	db_rollback(db);
out:
	sqlite3_finalize(st);
	free(all.p);
	return rc;
}

int
db_connect(struct db *db, const char *path, unsigned flags, struct err *err)
{
	int oflags = (flags & DB_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	int rc;

	db->path = xstrdup(path);
	if (!(flags & DB_READONLY) && (flags & DB_CREATE) && access(path, F_OK) != 0) {
		/* Create the file ourselves so it is 0600 from the first byte. */
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return err_set(err, RC_IO, "cannot create database '%s': %s", path,
				       strerror(errno));
		close(fd);
	} else if (access(path, F_OK) != 0 && errno == ENOENT) {
		return err_set(err, RC_INPUT, "database '%s' does not exist", path);
	}
	if (sqlite3_open_v2(path, &db->h, oflags, NULL) != SQLITE_OK) {
		rc = err_set(err, RC_DB, "cannot open database '%s': %s", path, db_errmsg(db));
		db_close(db);
		return rc;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, DB_BUSY_TIMEOUT_MS);
	rc = db_exec(db, "PRAGMA foreign_keys = ON;", err);
	if (rc == 0 && !(flags & DB_READONLY))
		rc = db_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", err);
	if (rc == 0) {
		int version;
		rc = check_identity(db, &version, err);
	}
	if (rc < 0)
		db_close(db);
	return rc;
}

void
db_close(struct db *db)
{
	if (db->h)
		sqlite3_close(db->h);
	db->h = NULL;
	free(db->path);
	db->path = NULL;
}

static bool
only_space_or_comments(const char *s)
{
	while (*s) {
		if (isspace((unsigned char)*s)) {
			s++;
		} else if (s[0] == '-' && s[1] == '-') {
			while (*s && *s != '\n')
				s++;
		} else if (s[0] == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");
			if (e == NULL)
				return false;
			s = e + 2;
		} else {
			return false;
		}
	}
	return true;
}

int
db_prepare(struct db *db, const char *text, sqlite3_stmt **out, struct err *err)
{
	const char *sql = text[0] == '@' ? sql_get(text + 1) : text;
	const char *tail = NULL;

	*out = NULL;
	if (sqlite3_prepare_v2(db->h, sql, -1, out, &tail) != SQLITE_OK)
		return err_set(err, RC_DB, "database '%s': cannot prepare %s: %s", db->path,
			       text[0] == '@' ? text + 1 : "statement", db_errmsg(db));
	if (tail && !only_space_or_comments(tail)) {
		sqlite3_finalize(*out);
		*out = NULL;
		return err_set(err, RC_DB, "%s holds more than one statement",
			       text[0] == '@' ? text + 1 : "statement");
	}
	return 0;
}

/*
 * A name the statement does not have is a bug in palscope, not in the input:
 * binding nothing would silently store or select NULL, so stop in every build
 * (an assert is compiled out of the Release build the tests run).
 */
static _Noreturn void internal_error(const char *fmt, ...) PRINTFLIKE(1, 2);

static _Noreturn void
internal_error(const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "palscope: internal error: %s\n", msg);
	abort();
}

static int
param(sqlite3_stmt *st, const char *name)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i <= 0) {
		const char *sql = sqlite3_sql(st);

		internal_error("SQL parameter %s is not in the statement: %.200s", name,
			       sql ? sql : "?");
	}
	return i;
}

void
db_bind_text(sqlite3_stmt *st, const char *name, const char *value)
{
	int i = param(st, name);

	if (value)
		sqlite3_bind_text(st, i, value, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

void
db_bind_int(sqlite3_stmt *st, const char *name, int64_t value)
{
	sqlite3_bind_int64(st, param(st, name), value);
}

void
db_bind_double(sqlite3_stmt *st, const char *name, double value)
{
	sqlite3_bind_double(st, param(st, name), value);
}

int
db_step_done(struct db *db, sqlite3_stmt *st, struct err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return err_set(err, RC_DB, "database '%s': %s", db->path, db_errmsg(db));
	return 0;
}

int
db_exec_script(struct db *db, const char *name, const struct db_param *params, size_t n,
	       struct err *err)
{
	const char *sql = sql_get(name), *start = sql;
	uint64_t used = 0;	/* the params some statement of the script takes */

	if (n > 64)
		internal_error("db_exec_script: more than 64 parameters for %s", name);
	while (sql && *sql) {
		sqlite3_stmt *st = NULL;
		const char *tail = NULL;
		int64_t t0 = now_ms();
		clock_t c0 = clock();
		int rc;

		if (sqlite3_prepare_v2(db->h, sql, -1, &st, &tail) != SQLITE_OK)
			return err_set(err, RC_DB, "cannot prepare %s: %s", name, db_errmsg(db));
		sql = tail;
		if (st == NULL)		/* only whitespace or comments were left */
			break;
		for (size_t i = 0; i < n; i++) {
			int idx = sqlite3_bind_parameter_index(st, params[i].name);

			if (idx > 0)
				used |= UINT64_C(1) << i;
			if (idx > 0 && params[i].text)
				sqlite3_bind_text(st, idx, params[i].text, -1, SQLITE_TRANSIENT);
			else if (idx > 0)
				sqlite3_bind_int64(st, idx, params[i].value);
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		if (rc != SQLITE_DONE) {
			err_set(err, RC_DB, "database '%s': %s: %s", db->path, name, db_errmsg(db));
			sqlite3_finalize(st);
			return RC_DB;
		}
		sqlite3_finalize(st);
		/* -vv: where a script's time goes (bench/README.md), by the line its statement ends on */
		if (log_level >= LOG_DEBUG) {
			int line = 1;

			for (const char *c = start; c < tail; c++)
				line += *c == '\n';
			log_debug("%s:%d: %lld ms (CPU %.0f ms)", name, line,
				  (long long)(now_ms() - t0),
				  1000.0 * (double)(clock() - c0) / CLOCKS_PER_SEC);
		}
	}
	/* As db_bind_*: a parameter no statement takes is palscope's bug (a misspelt :name). */
	for (size_t i = 0; i < n; i++)
		if (!(used & (UINT64_C(1) << i)))
			internal_error("SQL parameter %s is in no statement of %s", params[i].name,
				       name);
	return 0;
}
