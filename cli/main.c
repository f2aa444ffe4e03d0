/*
 * palscope: which customers count toward a Microsoft partner's Partner Admin
 * Link attribution, which are missing, and why.
 *
 * main() parses the global options, then hands argv to one command from the
 * table below (git style: exact names only).
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "common/log.h"
#include "db/db.h"
#include "version.h"

#include <csv.h>
#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct cmd cmds[] = {
	{ "collect", cmd_collect, "Sign in as each identity and store what Azure says in SQLite" },
	{ "report", cmd_report, "Write the customers, subscriptions or summary report (CSV)" },
	{ "why", cmd_why, "Explain one customer or subscription step by step" },
	{ "diff", cmd_diff, "What changed between two runs, customer by customer, and why (CSV)" },
	{ "import", cmd_import, "Create a run from az CLI output, ARM JSON and cost exports" },
	{ "reconcile", cmd_reconcile, "Compare the prediction with a Partner Center download" },
	{ "rules", cmd_rules, "Show the reason codes, their sources and the policy; set a switch" },
	{ "link", cmd_link, "Show, plan, apply or remove partner links for every identity" },
	{ "login", cmd_login, "Sign in as yourself (device code) for collect/link --user" },
	{ "logout", cmd_login, "Forget the sign-in of palscope login" },
	{ "db", cmd_db, "Database information: runs, schema version" },
	{ "merge", cmd_merge, "Copy the runs of other palscope databases into this one" },
	{ "help", cmd_help, "Show help for a command" },
	{ "version", cmd_version, "Show version and library versions" },
};

static const struct cmd *
find_cmd(const char *name)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

int
usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	/* One line: the error, then where the options are explained. */
	fputs("palscope: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'palscope help%s%s')\n", cmd ? " " : "", cmd ? cmd : "");
	return EXIT_USAGE;
}

const char *
default_db_path(const char *opt)
{
	const char *env = getenv("PALSCOPE_DB");

	if (opt)
		return opt;
	if (env && *env)
		return env;
	return "palscope.db";
}

int
cli_exit_status(int code)
{
	switch (code) {
	case RC_OK:
		return EXIT_OK;
	case RC_USAGE:
	case RC_INPUT:
	case RC_PARSE:
		return EXIT_USAGE;
	case RC_DB:
	case RC_IO:
		return EXIT_DB_IO;
	default:
		return EXIT_FAILED;
	}
}

int
cli_fail(const struct err *err)
{
	log_error("%s", err->msg[0] ? err->msg : "failed");
	return cli_exit_status(err->code ? err->code : RC_ERROR);
}

int
cli_close(struct db *db, const struct err *err, bool failed)
{
	int rc = failed ? cli_fail(err) : EXIT_OK;

	db_close(db);
	return rc;
}

/* The database file is for its owner only: say so when an existing one is not. */
static void
warn_db_mode(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 077))
		log_warn("database '%s' can be read or written by others (mode %04o): it holds "
			 "your customers' data; chmod 600 '%s'",
			 path, (unsigned)(sb.st_mode & 07777), path);
}

int
cli_db_open(struct db *db, const char *opt, unsigned flags, struct err *err)
{
	const char *path = default_db_path(opt);

	warn_db_mode(path);
	return db_open(db, path, flags, err);
}

int
cli_db_connect(struct db *db, const char *opt, unsigned flags, struct err *err)
{
	const char *path = default_db_path(opt);

	warn_db_mode(path);
	return db_connect(db, path, flags, err);
}

/* "unknown command 'reprot'; did you mean 'report'?" */
static int
unknown_command(const char *name)
{
	const char *best = NULL;
	size_t bestd = strlen(name) < 4 ? 2 : 3;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		size_t d = cli_edit_distance(name, cmds[i].name);
		if (d < bestd || (best == NULL && strncmp(name, cmds[i].name, strlen(name)) == 0 &&
				  strlen(name) >= 2)) {
			best = cmds[i].name;
			bestd = d;
		}
	}
	if (best)
		return usage_error(NULL, "unknown command '%s'; did you mean '%s'?", name, best);
	return usage_error(NULL, "unknown command '%s'", name);
}

static void
print_overview(FILE *fp)
{
	fprintf(fp, "usage: palscope [-v | -q] <command> [<args>]\n"
		    "       palscope --version\n\n"
		    "Find which customers count toward your Partner Admin Link attribution,\n"
		    "which are missing, and why.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(fp, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(fp, "\noptions (anywhere on the line):\n"
		    "  -q, --quiet        errors only\n"
		    "  -v, --verbose      more detail; -vv traces requests (URLs only)\n"
		    "  --version          version, git describe and the libraries linked\n\n"
		    "'palscope help <command>' or 'palscope <command> --help' shows a command's "
		    "options.\n");
}

static int
cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		print_overview(stdout);
		return EXIT_OK;
	}
	const struct cmd *c = find_cmd(argv[1]);
	if (c == NULL || c->fn == cmd_help || c->fn == cmd_version) {
		if (c)
			print_overview(stdout);
		else
			return unknown_command(argv[1]);
		return EXIT_OK;
	}
	char *sub[] = { argv[1], (char *)"--help", NULL };
	return c->fn(2, sub);
}

static int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("palscope %s (%s)\nsqlite %s\nlibcurl %s\ncjson %s\nlibcsv %d.%d.%d\n",
	       PALSCOPE_VERSION, PALSCOPE_GIT_DESCRIBE, sqlite3_libversion(),
	       curl_version_info(CURLVERSION_NOW)->version, cJSON_Version(), CSV_MAJOR, CSV_MINOR,
	       CSV_RELEASE);
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	int i = 1, rc;

	umask(077);
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
			log_level = log_level < LOG_INFO ? LOG_INFO : LOG_DEBUG;
		} else if (strcmp(argv[i], "-vv") == 0) {
			log_level = LOG_DEBUG;
		} else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
			log_level = LOG_ERROR;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			print_overview(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			return cmd_version(0, NULL);
		} else {
			bool near = cli_edit_distance(argv[i], "--verbose") <= 2 ||
				    cli_edit_distance(argv[i], "--version") <= 2 ||
				    cli_edit_distance(argv[i], "--quiet") <= 2;
			return usage_error(NULL, "unknown option '%s'%s", argv[i],
					   near ? "; did you mean --verbose, --version or --quiet?"
						: "");
		}
		i++;
	}
	if (i >= argc) {
		print_overview(stderr);
		return EXIT_USAGE;
	}
	const struct cmd *c = find_cmd(argv[i]);
	if (c == NULL)
		return unknown_command(argv[i]);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("cannot initialise libcurl");
		return EXIT_FAILED;
	}
	rc = c->fn(argc - i, argv + i);
	curl_global_cleanup();

	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_error("cannot write to standard output: %s", strerror(errno ? errno : EIO));
		rc = EXIT_DB_IO;
	}
	return rc;
}
