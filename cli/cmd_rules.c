/*
 * palscope rules: every reason code (what decides it, its sources and their confidence) and
 * the policy switches with their current values (sql/reports/rules_codes.sql, policy.sql);
 * "rules set KEY VALUE" changes a switch (db/policy.c: recorded, summaries rebuilt in the same
 * transaction).
 */
#include "cli/cli.h"
#include "db/db.h"
#include "db/policy.h"
#include "common/err.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void
print_help(void)
{
	printf("usage: palscope rules [--db FILE]\n"
	       "       palscope rules set KEY VALUE [--db FILE]\n\n"
	       "  (no action)  every reason code in evaluation order: status, kind, what decides it,\n"
	       "               its sources and their confidence (official, Microsoft staff,\n"
	       "               inference); then the policy switches with their values and\n"
	       "               alternatives, and every change made to them\n"
	       "  set          change a switch (recorded with time, old and new value); the stored\n"
	       "               summaries are rebuilt in the same transaction, so the next report\n"
	       "               uses it. Switches: ea pal|dpor, read_only_roles not_eligible|count,\n"
	       "               custom_roles write_actions|count|not_eligible,\n"
	       "               marketplace_lighthouse warning|blocking, sovereign_cloud blocking|ignore\n\n"
	       "  --db FILE          database (default $PALSCOPE_DB, else palscope.db)\n\n"
	       "rules set creates the database when it does not exist.\n");
}

static const char *
confidence_word(const char *c)
{
	if (strcmp(c, "official") == 0)
		return "official";
	if (strcmp(c, "microsoft_staff") == 0)
		return "Microsoft staff";
	if (strcmp(c, "inference") == 0)
		return "inference";
	return *c ? c : "?";
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

/* Step st to its end; < 0 on an error (err set). */
static int
step_end(struct db *db, int rc, struct err *err)
{
	if (rc != SQLITE_DONE)
		return err_set(err, RC_DB, "database '%s': %s", db->path, sqlite3_errmsg(db->h));
	return 0;
}

static int
print_codes(struct db *db, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = db_prepare(db, "@reports/rules_codes.sql", &st, err)) < 0)
		return rc;
	printf("Reason codes, in evaluation order (the first failing blocking code decides; warnings "
	       "never block):\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		printf("\n%2d %s  %s%s%s", sqlite3_column_int(st, 0), col(st, 1), col(st, 3),
		       *col(st, 2) ? " -> " : "", col(st, 2));
		if (*col(st, 7))
			printf("  (policy: %s)", col(st, 7));
		printf("\n   decided by: %s\n   sources:    %s\n   confidence: %s\n", col(st, 4),
		       col(st, 5), confidence_word(col(st, 6)));
	}
	rc = step_end(db, rc, err);
	sqlite3_finalize(st);
	return rc;
}

static int
print_options(struct db *db, const char *key, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = db_prepare(db, "@reports/policy_options.sql", &st, err)) < 0)
		return rc;
	db_bind_text(st, ":key", key);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		printf("   %s%s: %s\n      sources: %s (%s)\n", col(st, 0),
		       sqlite3_column_int(st, 1) ? " (default)" : "", col(st, 2), col(st, 3),
		       confidence_word(col(st, 4)));
	rc = step_end(db, rc, err);
	sqlite3_finalize(st);
	return rc;
}

static int
print_policy(struct db *db, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, n = 0;

	if ((rc = db_prepare(db, "@reports/policy.sql", &st, err)) < 0)
		return rc;
	printf("\nPolicy switches (change one with palscope rules set KEY VALUE):\n");
	while (rc >= 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		printf("\n%s = %s (%s; alternatives %s; %s%s)\n", col(st, 0), col(st, 1),
		       sqlite3_column_int(st, 4) ? "the default" : "not the default",
		       col(st, 3), *col(st, 5) ? "changed " : "never changed", col(st, 5));
		rc = print_options(db, col(st, 0), err);
	}
	if (rc >= 0)
		rc = step_end(db, rc, err);
	sqlite3_finalize(st);
	if (rc < 0 || (rc = db_prepare(db, "@reports/policy_changes.sql", &st, err)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0)
			printf("\nChanges:\n");
		printf("   %s  %s: %s -> %s\n", col(st, 0), col(st, 1), col(st, 2), col(st, 3));
	}
	rc = step_end(db, rc, err);
	sqlite3_finalize(st);
	return rc;
}

int
cmd_rules(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *dbpath = NULL;
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	bool set = false, changed = false;
	char old[64] = "";
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dbpath = optarg;
			break;
		case 'h':
			print_help();
			return EXIT_OK;
		default:
			return usage_error("rules", "bad option");
		}
	}
	if (optind < argc) {
		if (strcmp(argv[optind], "set") != 0)
			return usage_error("rules", "unknown action '%s' (only set)", argv[optind]);
		if (argc - optind != 3)
			return usage_error("rules", "set needs KEY VALUE (palscope rules lists them)");
		set = true;
	}
	if (cli_db_open(&db, dbpath, set ? DB_CREATE : 0, &err) < 0) {
		db_close(&db);
		return cli_fail(&err);
	}
	if (set) {
		rc = db_policy_set(&db, argv[optind + 1], argv[optind + 2], &changed, old, sizeof(old),
				   &err);
		db_close(&db);
		if (rc == RC_USAGE)
			return usage_error("rules", "%s", err.msg);
		if (rc < 0)
			return cli_fail(&err);
		if (changed)
			printf("%s: %s -> %s (recorded; the stored summaries were rebuilt, reports use "
			       "it from now on)\n",
			       argv[optind + 1], old, argv[optind + 2]);
		else
			printf("%s is already %s (nothing changed)\n", argv[optind + 1], old);
		return EXIT_OK;
	}
	rc = print_codes(&db, &err);
	if (rc == 0)
		rc = print_policy(&db, &err);
	db_close(&db);
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		rc = err_set(&err, RC_IO, "cannot write to standard output");
	return rc < 0 ? cli_fail(&err) : EXIT_OK;
}
