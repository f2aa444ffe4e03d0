/*
 * Unit tests: a scratch database (tempdb.h) loaded from an SQL fixture of tests/fixtures/ whose
 * runs are inserted as data, then made ready as collect and import leave a run (summaries and
 * status snapshots: db/summary.h). test_rules.c and test_diff.c share it.
 */
#ifndef PALSCOPE_TESTS_FIXTUREDB_H
#define PALSCOPE_TESTS_FIXTUREDB_H

#include <stdio.h>
#include <stdlib.h>

#include "tempdb.h"
#include "testutil.h"
#include "db/db.h"
#include "db/summary.h"

/* Create path (n bytes) for tag, load fixture into db; 0, or -1 with the reason on stderr. */
static inline int
fixturedb_open(struct db *db, char *path, size_t n, const char *tag, const char *fixture)
{
	struct err err = ERR_INIT;
	char *sql;

	tempdb_path(path, n, tag);
	tempdb_remove(path);
	if (db_open(db, path, DB_CREATE, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	sql = test_slurp(fixture, NULL);
	if (sql == NULL || db_exec(db, sql, &err) < 0) {
		fprintf(stderr, "fixture %s: %s\n", fixture, sql ? err.msg : "cannot be read");
		free(sql);
		return -1;
	}
	free(sql);
	/* What collect and import do when a run ends (the fixture's runs are inserted as data). */
	if (db_summaries_update(db, NULL, &err) < 0) {
		fprintf(stderr, "summaries: %s\n", err.msg);
		return -1;
	}
	/* and what diff, trend and why --since do before they read the status snapshots */
	if (db_snapshots_update(db, NULL, &err) < 0) {
		fprintf(stderr, "snapshots: %s\n", err.msg);
		return -1;
	}
	return 0;
}

#endif
