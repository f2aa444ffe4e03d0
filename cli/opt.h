/*
 * The options of every command, declared once (cli/opt.c) with their help text and the check
 * of their value, as libgit2's cli_opt_spec tables do. A command lists the options it takes
 * with where each value goes (struct cli_arg); cli_parse fills them and cli_opts_help prints
 * their help, so an option shared by several commands (--db, --period, --out, the endpoint
 * options) is parsed, checked and explained the same way everywhere.
 *
 * Every command also takes -h/--help and the global options -q/--quiet and -v/--verbose
 * (anywhere on the line: `palscope report summary -q`).
 */
#ifndef PALSCOPE_CLI_OPT_H
#define PALSCOPE_CLI_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli/cli.h"
#include "reports/output.h"

enum cli_opt_id {
	CLI_END = 0,
	CLI_SECTION,		/* not an option: a heading in the help, value is its text */
	CLI_INCLUDE,		/* not an option: value is another list, taken as if written here */
	CLI_OPERAND,		/* not an option: exactly one operand, value names it for "missing" */
	CLI_OPERANDS,		/* not an option: any number of operands (none without either) */
	O_HELP = 256,
	O_QUIET,
	O_VERBOSE,
	/* shared by several commands */
	O_DB,
	O_PERIOD,		/* a reported month (default: the newest run's period) */
	O_OUT,
	O_OUTPUT,		/* -o: table, csv, json or tsv */
	O_EXCEL,
	O_ACCOUNTS,
	O_PARTNER_ID,		/* repeatable (struct cli_list) */
	O_CLOUD,
	O_ARM_URL,
	O_LOGIN_URL,
	O_GRAPH_URL,
	O_CA_BUNDLE,
	O_CONCURRENCY,
	O_TIMEOUT,
	O_RUN,
	O_SINCE,
	O_DIFF_FROM,
	O_DIFF_TO,
	O_DIFF_CUSTOMERS,
	O_DIFF_SUBSCRIPTIONS,
	O_TREND_FROM,
	O_TREND_TO,
	/* one command's */
	O_COLLECT_PERIOD,
	O_ALLOW_PARTIAL,
	O_USER,
	O_AZ,
	O_TENANTS,
	O_NO_CACHE,
	O_LINK_USER,
	O_IMPORT_TENANT,
	O_IMPORT_PERIOD,
	O_OBJECT_ID,
	O_LABEL,
	O_INCLUDE_GROUPS,
	O_PARTNER_CENTER,
	O_KEEP_PERIODS,
	O_BEFORE,
	O_VACUUM,
	O_LINK_PARTNER_ID,	/* link: one partner ID */
	O_UPDATE,
	O_ONLY_MISSING,
	O_YES,
	O_CSV,
	O_HISTORY_TENANT,
	O_LIMIT,
	O_LOGIN_TENANT,
	O_CLIENT_ID,
	O_ID_END
};

/* A repeatable option's values, in order (free v). */
struct cli_list {
	const char **v;
	size_t n;
};

/*
 * One option a command takes and where its value goes: const char ** for an option with a
 * value, bool * for a switch, long * for a number, struct cli_list * for a repeatable one.
 * A CLI_SECTION entry's value is the heading text. The list ends with { CLI_END, NULL }.
 */
struct cli_arg {
	int id;
	void *value;
};

/*
 * The endpoint options of the commands that talk to Azure, pointing into one struct: --cloud,
 * --arm-url, --login-url, --graph-url, --ca-bundle, --concurrency, --timeout, as chosen by
 * the CLI_EP_* bits. A command's list takes them with { CLI_INCLUDE, ea.args }.
 */
enum { CLI_EP_ARM = 1, CLI_EP_GRAPH = 2, CLI_EP_CONCURRENCY = 4 };
struct cli_endpoint_args {
	struct cli_endpoint_opts o;
	long concurrency;	/* 0: not given */
	long timeout_s;		/* 0: not given */
	struct cli_arg args[8];
};
/* Points ea's list at its fields and returns it. */
struct cli_arg *cli_endpoint_args_init(struct cli_endpoint_args *ea, unsigned which);

/*
 * --output/-o FORMAT, --out and --excel of the commands that print rows:
 * { CLI_INCLUDE, oa.args }. cli_output_only_args_init gives --output alone (link, db runs).
 */
struct cli_output_args {
	const char *format;	/* NULL: the command's default (cli_output_format) */
	const char *out;	/* NULL or "-": stdout */
	bool excel;
	struct cli_arg args[4];
};
/* Points oa's list at its fields and returns it. */
struct cli_arg *cli_output_args_init(struct cli_output_args *oa);
struct cli_arg *cli_output_only_args_init(struct cli_output_args *oa);

/*
 * The format to print in: --output as given; else table when the rows go to a terminal
 * (stdout, no --out FILE), else dflt (csv for the report commands, table for the others).
 */
enum out_format cli_output_format(const struct cli_output_args *oa, enum out_format dflt);

struct db;
struct err;
struct report_spec;

/*
 * Write spec's rows for period to oa's --out (stdout without it) in cli_output_format(oa,
 * OUT_CSV) (--excel: csv only, refused with RC_USAGE otherwise); with -v,
 * say how many rows went to the file ("wrote 12 rows to 'c.csv' (what)"). Returns 0 or an
 * RC_* code with err set.
 */
int cli_write_report(struct db *db, const struct report_spec *spec, const char *period,
		     const struct cli_output_args *oa, const char *what, struct err *err);

/*
 * A write to stdout failed with errnum: the one error line ("cannot write to standard
 * output: ..."), stdout's error flag cleared so main's check does not say it twice. Returns
 * the exit status (3).
 */
int cli_stdout_error(int errnum);

/* A command's help: its usage and text around cli_opts_help(stdout, args). */
typedef void (*cli_help_fn)(const struct cli_arg *args);

/*
 * Parse argv (argv[0] is the command's name, as getopt sees it) for command cmd (for
 * messages). Options may come anywhere; the other arguments (operands) are moved after them,
 * the first at argv[*first]: none, one (CLI_OPERAND) or any number (CLI_OPERANDS) of them. Returns true to go on, or false with *status the exit status:
 * EXIT_OK after -h/--help printed help(args), EXIT_USAGE after the one-line usage error (an
 * unknown option with the nearest one the command takes, a missing value, or a value its
 * check refuses).
 */
bool cli_parse(const char *cmd, const struct cli_arg *args, cli_help_fn help, int argc,
	       char **argv, int *first, int *status);

/* The help lines of args' options ("  --db FILE          database ..."), headings included. */
void cli_opts_help(FILE *fp, const struct cli_arg *args);

/* The footer every command's help ends with: the global options, where to read more. */
void cli_help_footer(FILE *fp);

/* Levenshtein distance of a and b (ASCII, case-sensitive), capped at 100. */
size_t cli_edit_distance(const char *a, const char *b);

/* The long name of option id ("db"), for messages. */
const char *cli_opt_name(int id);

#endif
