#include "db/merge.h"
#include "common/buf.h"
#include "common/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Tables that are derived, or not a run's: not copied. */
static bool
skipped_table(const char *t)
{
	static const char *const names[] = { "run", "identity", "palscope_meta", "role_eligibility",
					     "link_batch", "link_change", "snapshot_built", NULL };
	size_t n = strlen(t);

	for (const char *const *p = names; *p; p++)
		if (strcmp(t, *p) == 0)
			return true;
	return strncmp(t, "sqlite_", 7) == 0 || (n > 8 && strcmp(t + n - 8, "_summary") == 0) ||
	       (n > 9 && strcmp(t + n - 9, "_snapshot") == 0);
}

struct cols {
	struct buf list;	/* "a", "b", ... without the row id alias */
	bool has_run, has_identity;
};

/* The columns of main.t to copy (an INTEGER PRIMARY KEY alias of the rowid is left out). */
static int
table_cols(struct db *db, const char *t, struct cols *c, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int n_pk = 0, rc = 0;
	char *pk_int = NULL;
	char *sql = xasprintf("SELECT name, type, pk FROM pragma_table_info('%s', 'main')", t);

	memset(c, 0, sizeof(*c));
	if ((rc = db_prepare(db, sql, &st, err)) < 0)
		goto out;
	/* first pass: which column, if any, is the rowid alias */
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_int(st, 2) > 0) {
			n_pk++;
			if (strcmp((const char *)sqlite3_column_text(st, 1), "INTEGER") == 0) {
				free(pk_int);
				pk_int = xstrdup((const char *)sqlite3_column_text(st, 0));
			}
		}
	}
	sqlite3_reset(st);
	bool without_rowid = false;
	{
		sqlite3_stmt *w = NULL;
		char *q = xasprintf("SELECT sql LIKE '%%WITHOUT ROWID%%' FROM main.sqlite_schema "
				    "WHERE type = 'table' AND name = '%s'",
				    t);
		if (db_prepare(db, q, &w, err) == 0 && sqlite3_step(w) == SQLITE_ROW)
			without_rowid = sqlite3_column_int(w, 0);
		sqlite3_finalize(w);
		free(q);
	}
	const char *alias = n_pk == 1 && pk_int && !without_rowid ? pk_int : NULL;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (strcmp(name, "run_id") == 0)
			c->has_run = true;
		else if (strcmp(name, "identity_id") == 0)
			c->has_identity = true;
		if (alias && strcmp(name, alias) == 0 && !c->has_run && !c->has_identity)
			continue;
		if (c->list.len)
			buf_adds(&c->list, ", ");
		buf_adds(&c->list, "\"");
		buf_adds(&c->list, name);
		buf_adds(&c->list, "\"");
	}
out:
	sqlite3_finalize(st);
	free(pk_int);
	free(sql);
	return rc;
}

/* The select list: the same columns, run_id and identity_id through the maps. */
static char *
select_list(const struct cols *c)
{
	struct buf b = BUF_INIT;
	const char *p = buf_cstr(&c->list);

	while (*p) {
		const char *e = strstr(p, ", ");
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (b.len)
			buf_adds(&b, ", ");
		if (n == 8 && strncmp(p, "\"run_id\"", 8) == 0)
			buf_adds(&b, "mr.new");
		else if (n == 13 && strncmp(p, "\"identity_id\"", 13) == 0)
			buf_adds(&b, "mi.new");
		else {
			buf_adds(&b, "t.");
			buf_add(&b, p, n);
		}
		p += n;
		if (*p)
			p += 2;
	}
	return buf_detach(&b);
}

static long
changes(struct db *db)
{
	return (long)sqlite3_changes(db->h);
}

static int
copy_tables(struct db *db, struct merge_stats *st, struct err *err)
{
	sqlite3_stmt *ts = NULL;
	int rc = db_prepare(db,
			    "SELECT name FROM main.sqlite_schema WHERE type = 'table' "
			    "AND name IN (SELECT name FROM other.sqlite_schema WHERE type = 'table') "
			    "ORDER BY rowid",
			    &ts, err);

	while (rc == 0 && sqlite3_step(ts) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(ts, 0);
		struct cols c;
		if (skipped_table(t))
			continue;
		if ((rc = table_cols(db, t, &c, err)) < 0)
			break;
		if (!c.has_run && !c.has_identity) {
			buf_release(&c.list);
			continue;
		}
		char *sel = select_list(&c);
		char *sql = xasprintf(
			"INSERT INTO main.\"%s\" (%s) SELECT %s FROM other.\"%s\" t%s%s", t,
			buf_cstr(&c.list), sel, t,
			c.has_identity ? " JOIN temp.merge_identity mi ON mi.old = t.identity_id" : "",
			c.has_run ? " JOIN temp.merge_run mr ON mr.old = t.run_id" : "");
		rc = db_exec(db, sql, err);
		if (rc == 0)
			st->rows += changes(db);
		else
			err_prefix(err, "copying %s: ", t);
		free(sql);
		free(sel);
		buf_release(&c.list);
	}
	sqlite3_finalize(ts);
	return rc;
}

static int
report_runs(struct db *db, merge_run_cb cb, void *payload, struct merge_stats *st,
	    struct err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = db_prepare(
		db,
		"SELECT o.run_id, m.new, o.uuid, o.kind, o.period, o.status, "
		"(SELECT group_concat(n, ', ') FROM (SELECT DISTINCT coalesce(i.upn, i.label, "
		"i.client_id, i.object_id) AS n FROM other.identity i WHERE i.run_id = o.run_id "
		"ORDER BY 1)) FROM other.run o LEFT JOIN temp.merge_run m ON m.old = o.run_id "
		"ORDER BY o.run_id",
		&s, err);

	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		bool copied = sqlite3_column_type(s, 1) != SQLITE_NULL;
		if (copied)
			st->runs_copied++;
		else
			st->runs_skipped++;
		if (cb)
			cb(payload, copied, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
			   (const char *)sqlite3_column_text(s, 2),
			   (const char *)sqlite3_column_text(s, 3),
			   (const char *)sqlite3_column_text(s, 4),
			   (const char *)sqlite3_column_text(s, 5),
			   (const char *)sqlite3_column_text(s, 6));
	}
	sqlite3_finalize(s);
	return rc;
}

/* Copy the runs of the attached "other" database that main does not have. */
static int
merge_attached(struct db *db, merge_run_cb cb, void *payload, struct merge_stats *st,
	       struct err *err)
{
	struct cols rc_cols, ic_cols;
	int rc;

	if ((rc = db_exec(db,
			  "CREATE TEMP TABLE merge_run (old INTEGER PRIMARY KEY, new INTEGER);"
			  "CREATE TEMP TABLE merge_identity (old INTEGER PRIMARY KEY, new INTEGER);"
			  "INSERT INTO temp.merge_run SELECT o.run_id, "
			  "(SELECT coalesce(max(run_id), 0) FROM main.run) + "
			  "row_number() OVER (ORDER BY o.run_id) FROM other.run o "
			  "WHERE o.uuid IS NULL OR o.uuid NOT IN (SELECT uuid FROM main.run "
			  "WHERE uuid IS NOT NULL);"
			  "INSERT INTO temp.merge_identity SELECT i.identity_id, "
			  "(SELECT coalesce(max(identity_id), 0) FROM main.identity) + "
			  "row_number() OVER (ORDER BY i.identity_id) FROM other.identity i "
			  "JOIN temp.merge_run m ON m.old = i.run_id;",
			  err)) < 0)
		return rc;
	if ((rc = report_runs(db, cb, payload, st, err)) < 0)
		return rc;
	if ((rc = table_cols(db, "run", &rc_cols, err)) < 0)
		return rc;
	if ((rc = table_cols(db, "identity", &ic_cols, err)) < 0) {
		buf_release(&rc_cols.list);
		return rc;
	}
	char *rsel = select_list(&rc_cols), *isel = select_list(&ic_cols);
	char *sql = xasprintf("INSERT INTO main.run (%s) SELECT %s FROM other.run t JOIN "
			      "temp.merge_run mr ON mr.old = t.run_id;"
			      "INSERT INTO main.identity (%s) SELECT %s FROM other.identity t JOIN "
			      "temp.merge_identity mi ON mi.old = t.identity_id JOIN temp.merge_run mr "
			      "ON mr.old = t.run_id;",
			      buf_cstr(&rc_cols.list), rsel, buf_cstr(&ic_cols.list), isel);
	rc = db_exec(db, sql, err);
	free(sql);
	free(rsel);
	free(isel);
	buf_release(&rc_cols.list);
	buf_release(&ic_cols.list);
	if (rc < 0)
		return rc;
	st->identities = (long)sqlite3_changes(db->h);
	return copy_tables(db, st, err);
}

int
db_merge(struct db *db, const char *other_path, merge_run_cb cb, void *payload,
	 struct merge_stats *st, struct err *err)
{
	struct db other = DB_INIT, tmp = DB_INIT;
	char tmp_path[] = "/tmp/palscope-merge-XXXXXX";
	int fd, rc;
	char *sql = NULL;

	memset(st, 0, sizeof(*st));
	/* Read the other file as it is; its copy is migrated, never the file itself. */
	if ((rc = db_connect(&other, other_path, DB_READONLY, err)) < 0)
		return rc;
	if ((fd = mkstemp(tmp_path)) < 0) {
		db_close(&other);
		return err_set(err, RC_IO, "cannot create a temporary file for the merge");
	}
	close(fd);
	unlink(tmp_path);
	char *q = sqlite3_mprintf("VACUUM INTO %Q", tmp_path);
	rc = db_exec(&other, q, err);
	sqlite3_free(q);
	db_close(&other);
	if (rc == 0) {
		int applied = 0;
		if ((rc = db_connect(&tmp, tmp_path, 0, err)) == 0)
			rc = db_migrate(&tmp, &applied, err);
		db_close(&tmp);
	}
	if (rc == 0) {
		char *a = sqlite3_mprintf("ATTACH DATABASE %Q AS other", tmp_path);
		rc = db_exec(db, a, err);
		sqlite3_free(a);
	}
	if (rc == 0) {
		/* one transaction: all of the other file's new runs, or none */
		if ((rc = db_exec(db, "PRAGMA defer_foreign_keys = ON", err)) == 0 &&
		    (rc = db_begin(db, err)) == 0) {
			rc = merge_attached(db, cb, payload, st, err);
			if (rc == 0)
				rc = db_exec(db,
					     "DROP TABLE temp.merge_run; DROP TABLE temp.merge_identity;",
					     err);
			if (rc == 0)
				rc = db_commit(db, err);
			if (rc < 0)
				db_rollback(db);
		}
		sqlite3_exec(db->h, "DETACH DATABASE other", NULL, NULL, NULL);
	}
	free(sql);
	unlink(tmp_path);
	if (rc < 0)
		err_prefix(err, "merge %s: ", other_path);
	return rc;
}
