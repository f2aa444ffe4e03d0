/*
 * The option table: every option of every command, once, with its help text and the check of
 * its value, and the parser the commands share (getopt_long underneath).
 */
#include "cli/opt.h"
#include "cli/cli.h"
#include "collector/user_auth.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "reports/output.h"
#include "reports/report.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum kind { SWITCH, VALUE, LIST, NUMBER };

struct opt_def {
	const char *name;
	char shortname;
	enum kind kind;
	const char *arg;		/* the value's placeholder in the help */
	const char *help;		/* '\n' starts a continuation line */
	bool (*valid)(const char *);	/* NULL: any value */
	const char *want;		/* what valid wants: "is not a GUID" */
	const char *const *choices;	/* VALUE: the values allowed (NULL-terminated), or NULL */
	long min, max;			/* NUMBER */
	const char *unit;		/* NUMBER: " seconds" */
};

static bool
valid_month(const char *s)
{
	char first[11], last[11];

	return strlen(s) == 7 && period_parse(s, first, last);
}

static bool
valid_run(const char *s)
{
	int64_t id;

	return cli_parse_run_id(s, &id);
}

/* An option with a value (V), a repeatable one (L), a switch (S), a number in a range (N); the checks of values. */
#define V(n, a, h) .name = n, .kind = VALUE, .arg = a, .help = h
#define L(n, a, h) .name = n, .kind = LIST, .arg = a, .help = h
#define S(n, h) .name = n, .kind = SWITCH, .help = h
#define N(n, a, h, lo, hi) .name = n, .kind = NUMBER, .arg = a, .help = h, .min = lo, .max = hi
#define MONTH .valid = valid_month, .want = "is not a month (YYYY-MM)"
#define GUID .valid = is_guid, .want = "is not a GUID"
#define PARTNER .valid = cli_valid_partner_id, .want = "is not a numeric partner ID (1 to 12 digits)"

static const struct opt_def defs[O_ID_END] = {
	[O_HELP] = { S("help", "show this help"), .shortname = 'h' },
	[O_QUIET] = { S("quiet", "errors only"), .shortname = 'q' },
	[O_VERBOSE] = { S("verbose", "more detail; twice: trace requests"), .shortname = 'v' },
	[O_DB] = { V("db", "FILE", "database (default $PALSCOPE_DB, else palscope.db)") },
	[O_PERIOD] = { V("period", "YYYY-MM", "the month (default: the newest run's period)"), MONTH },
	[O_OUT] = { V("out", "FILE|-", "write to FILE (atomically) or '-' for stdout (default)") },
	[O_OUTPUT] = { V("output", "FORMAT",
			 "table, csv, json or tsv (default: table on a terminal,\n"
			 "else csv for reports)"),
		       .shortname = 'o', .choices = out_format_names },
	[O_EXCEL] = { S("excel", "UTF-8 byte order mark and CRLF line ends, for Excel") },
	[O_ACCOUNTS] = { V("accounts", "FILE",
			   "CSV: tenant_id, client_id + secret_env, or token_command,\n"
			   "label. Without it: AZURE_TENANT_ID, AZURE_CLIENT_ID,\nAZURE_CLIENT_SECRET") },
	[O_PARTNER_ID] = { L("partner-id", "ID", "your partner (location) ID; repeat for several"),
			   PARTNER },
	[O_CLOUD] = { V("cloud", "NAME", "public (default), china or usgov endpoints") },
	[O_ARM_URL] = { V("arm-url", "URL", "Resource Manager endpoint (overrides --cloud)") },
	[O_LOGIN_URL] = { V("login-url", "URL",
			    "identity platform endpoint (overrides --cloud;\n"
			    "default $AZURE_AUTHORITY_HOST)\nhttp:// is accepted only for loopback "
			    "hosts") },
	[O_GRAPH_URL] = { V("graph-url", "URL",
			    "Microsoft Graph endpoint (overrides --cloud; default the\n"
			    "--arm-url when that is a loopback host)") },
	[O_CA_BUNDLE] = { V("ca-bundle", "FILE", "trust this CA bundle (certificate checks stay on)") },
	[O_CONCURRENCY] = { N("concurrency", "N", "transfers at once (default 16)", 1, 256) },
	[O_TIMEOUT] = { N("timeout", "SECONDS", "per-request timeout (default 120)", 1, 3600),
			.unit = " seconds" },
	[O_RUN] = { V("run", "ID",
		      "the run's period as of run ID: only the runs of the period up\n"
		      "to and including ID (palscope db runs lists them)"),
		    .valid = valid_run, .want = "is not a run id (see palscope db runs)" },
	[O_SINCE] = { V("since", "RUN|YYYY-MM",
			"first tell what changed since that run (or the newest\n"
			"complete run of that period), as palscope diff does") },
	[O_DIFF_TO] = { V("to", "RUN|YYYY-MM",
			  "the later run, or the newest complete run of a period\n"
			  "(default: the newest complete run)") },
	[O_DIFF_FROM] = { V("from", "RUN|YYYY-MM",
			    "the earlier run, or the newest complete run of a period\n"
			    "(default: the newest complete run before --to)") },
	[O_DIFF_CUSTOMERS] = { S("customers", "one row per customer (the default)") },
	[O_DIFF_SUBSCRIPTIONS] = { S("subscriptions", "one row per subscription") },
	[O_TREND_FROM] = { V("from", "YYYY-MM", "trend: the first month (default: the first with a run)"),
			   MONTH },
	[O_TREND_TO] = { V("to", "YYYY-MM", "trend: the last month (default: the last with a run)"),
			 MONTH },
	[O_COLLECT_PERIOD] = { V("period", "YYYY-MM",
				 "month of cost to read (default: the previous month); a\n"
				 "month not over yet is refused, one to come always"),
			       MONTH },
	[O_ALLOW_PARTIAL] = { S("allow-partial-period",
				"collect the current month anyway: the run is marked\n"
				"and every report on it says its cost is incomplete") },
	[O_USER] = { S("user", "as the user signed in with 'palscope login', in every\n"
			       "tenant you are a member or guest of (GET /tenants)") },
	[O_AZ] = { S("az", "as the Azure CLI's sign-in (az login), in every tenant\n"
			   "it reaches (GET /tenants; az account get-access-token\n"
			   "--tenant T for each)") },
	[O_TENANTS] = { V("tenants", "FILE", "with --user: only the tenants of this CSV (tenant_id)") },
	[O_NO_CACHE] = { S("no-cache", "with --user: sign in with a device code for this run\n"
				       "only; nothing is read from or kept in the token cache") },
	[O_LINK_USER] = { S("user", "instead: the user signed in with 'palscope login', in\n"
				    "every tenant you reach; apply and remove need a sign-in\n"
				    "with multi-factor authentication") },
	[O_IMPORT_TENANT] = { V("tenant", "ID",
				"the tenant the files were made in (files naming another\n"
				"tenant are an error)"),
			      GUID },
	[O_IMPORT_PERIOD] = { V("period", "YYYY-MM",
				"the month (default: the month of the cost data, else the\n"
				"previous month)"),
			      MONTH },
	[O_OBJECT_ID] = { V("object-id", "OID",
			    "the signed-in principal (default: the link's objectId, else\n"
			    "the principal of the direct role assignments)"),
			  GUID },
	[O_LABEL] = { V("label", "NAME",
			"what reports call the identity (default: the az user name,\n"
			"else import; at most 256 bytes)") },
	[O_INCLUDE_GROUPS] = { S("include-groups",
				 "keep assignments held through groups (the role assignment\n"
				 "files were made with --include-groups)") },
	[O_PARTNER_CENTER] = { V("partner-center", "FILE", "the Partner Center CSV") },
	[O_KEEP_PERIODS] = { N("keep-periods", "N", "prune: keep the runs of the N newest periods", 1,
			       100000),
			     .unit = " periods" },
	[O_BEFORE] = { V("before", "YYYY-MM", "prune: delete the runs of earlier periods"), MONTH },
	[O_VACUUM] = { S("vacuum", "prune: then give the space back to the file system") },
	[O_LINK_PARTNER_ID] = { L("partner-id", "ID",
				  "your partner location ID (the associated Partner ID, not\n"
				  "the global one)"),
				PARTNER },
	[O_UPDATE] = { S("update", "replace links to another partner ID") },
	[O_ONLY_MISSING] = { V("only-missing-from", "REPORT.csv",
			       "act only on the tenants a 'palscope report subscriptions'\n"
			       "or 'report customers' CSV lists as NO_LINK or\nLINK_WRONG_PARTNER_ID") },
	[O_YES] = { S("yes", "confirm remove") },
	[O_CSV] = { S("csv", "show/history: the same as -o csv") },
	[O_HISTORY_TENANT] = { V("tenant", "GUID", "history: one tenant only"), GUID },
	[O_LIMIT] = { N("limit", "N", "history: the newest N changes", 1, 1000000000) },
	[O_LOGIN_TENANT] = { V("tenant", "TENANT",
			       "tenant to sign in to (GUID or domain; default: your home\n"
			       "tenant). Sign in to a guest tenant once this way when it\n"
			       "requires multi-factor authentication") },
	[O_CLIENT_ID] = { V("client-id", "ID",
			    "public client application (default " USER_DEFAULT_CLIENT_ID ",\n"
			    "the one the Azure CLI uses)"),
			  GUID },
};

const char *
cli_opt_name(int id)
{
	return id > CLI_SECTION && id < O_ID_END && defs[id].name ? defs[id].name : "?";
}

size_t
cli_edit_distance(const char *a, const char *b)
{
	size_t m = strlen(a), n = strlen(b), row[101];

	if (m > 100 || n > 100)
		return 100;
	for (size_t j = 0; j <= n; j++)
		row[j] = j;
	for (size_t i = 1; i <= m; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= n; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[n];
}

struct cli_arg *
cli_endpoint_args_init(struct cli_endpoint_args *ea, unsigned which)
{
	size_t n = 0;

	memset(ea, 0, sizeof(*ea));
	ea->args[n++] = (struct cli_arg){ O_CLOUD, &ea->o.cloud };
	if (which & CLI_EP_ARM)
		ea->args[n++] = (struct cli_arg){ O_ARM_URL, &ea->o.arm_url };
	ea->args[n++] = (struct cli_arg){ O_LOGIN_URL, &ea->o.login_url };
	if (which & CLI_EP_GRAPH)
		ea->args[n++] = (struct cli_arg){ O_GRAPH_URL, &ea->o.graph_url };
	ea->args[n++] = (struct cli_arg){ O_CA_BUNDLE, &ea->o.ca_bundle };
	if (which & CLI_EP_CONCURRENCY)
		ea->args[n++] = (struct cli_arg){ O_CONCURRENCY, &ea->concurrency };
	ea->args[n++] = (struct cli_arg){ O_TIMEOUT, &ea->timeout_s };
	ea->args[n] = (struct cli_arg){ CLI_END, NULL };
	return ea->args;
}

struct cli_arg *
cli_output_args_init(struct cli_output_args *oa)
{
	memset(oa, 0, sizeof(*oa));
	oa->args[0] = (struct cli_arg){ O_OUTPUT, &oa->format };
	oa->args[1] = (struct cli_arg){ O_OUT, &oa->out };
	oa->args[2] = (struct cli_arg){ O_EXCEL, &oa->excel };
	oa->args[3] = (struct cli_arg){ CLI_END, NULL };
	return oa->args;
}

struct cli_arg *
cli_output_only_args_init(struct cli_output_args *oa)
{
	memset(oa, 0, sizeof(*oa));
	oa->args[0] = (struct cli_arg){ O_OUTPUT, &oa->format };
	oa->args[1] = (struct cli_arg){ CLI_END, NULL };
	return oa->args;
}

enum out_format
cli_output_format(const struct cli_output_args *oa, enum out_format dflt)
{
	if (oa->format)
		return (enum out_format)out_format_find(oa->format); /* checked by cli_parse */
	if ((oa->out == NULL || strcmp(oa->out, "-") == 0) && isatty(STDOUT_FILENO))
		return OUT_TABLE;
	return dflt;
}

int
cli_write_report(struct db *db, const struct report_spec *spec, const char *period,
		 const struct cli_output_args *oa, const char *what, struct err *err)
{
	size_t rows = 0;
	enum out_format fmt = cli_output_format(oa, OUT_CSV);
	if (oa->excel && fmt != OUT_CSV)
		return err_set(err, RC_USAGE, "--excel goes with --output csv, not %s",
			       out_format_names[fmt]);
	int rc = report_write_path(db, spec, period, oa->out,
				   (oa->excel ? REPORT_EXCEL : 0) | REPORT_FORMAT(fmt), &rows, err);

	if (rc == 0 && oa->out && strcmp(oa->out, "-") != 0)
		log_info("wrote %zu rows to '%s' (%s)", rows, oa->out, what);
	return rc;
}

int
cli_stdout_error(int errnum)
{
	struct err err = ERR_INIT;

	err_set(&err, RC_IO, "cannot write to standard output: %s", strerror(errnum ? errnum : EIO));
	clearerr(stdout);
	return cli_fail(&err);
}

static size_t
list_ids(const struct cli_arg *args, int *ids, size_t n, size_t cap)
{
	for (const struct cli_arg *a = args; a->id != CLI_END && n < cap; a++) {
		if (a->id == CLI_INCLUDE)
			n = list_ids(a->value, ids, n, cap);
		else if (a->id >= O_HELP)
			ids[n++] = a->id;
	}
	return n;
}

/* The ids a command takes: its own, then --help and the global options. */
static size_t
collect_ids(const struct cli_arg *args, int *ids, size_t cap)
{
	static const int always[] = { O_HELP, O_QUIET, O_VERBOSE };
	size_t n = list_ids(args, ids, 0, cap);

	for (size_t k = 0; k < sizeof(always) / sizeof(always[0]) && n < cap; k++) {
		bool have = false;
		for (size_t i = 0; i < n; i++)
			have = have || ids[i] == always[k];
		if (!have)
			ids[n++] = always[k];
	}
	return n;
}

static void *
value_of(const struct cli_arg *args, int id)
{
	for (const struct cli_arg *a = args; a->id != CLI_END; a++) {
		void *v = a->id == CLI_INCLUDE ? value_of(a->value, id) : a->id == id ? a->value
											: NULL;
		if (v)
			return v;
	}
	return NULL;
}

/* "unknown option '--dbb'", with the command's nearest option when one is close. */
static int
unknown_option(const char *cmd, const char *arg, const int *ids, size_t n)
{
	char name[64];
	const char *best = NULL;
	size_t bestd = 3;

	snprintf(name, sizeof(name), "%s", arg + strspn(arg, "-"));
	name[strcspn(name, "=")] = '\0';
	for (size_t i = 0; i < n && arg[1] == '-'; i++) {
		size_t d = cli_edit_distance(name, defs[ids[i]].name);
		if (d < bestd || (d == bestd && best == NULL && strlen(name) > 6 && d <= 3)) {
			best = defs[ids[i]].name;
			bestd = d;
		}
	}
	if (best)
		return usage_error(cmd, "unknown option '%s'; did you mean '--%s'?", arg, best);
	return usage_error(cmd, "unknown option '%s'", arg);
}

/* "--output 'jsn' is not one of table, csv, json, tsv; did you mean 'json'?" */
static int
not_a_choice(const char *cmd, const struct opt_def *d, const char *arg)
{
	char list[128] = "";
	const char *best = NULL;
	size_t bestd = 3;

	for (const char *const *c = d->choices; *c; c++) {
		size_t len = strlen(list);
		snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "", *c);
		size_t dist = cli_edit_distance(arg, *c);
		if (dist < bestd) {
			best = *c;
			bestd = dist;
		}
	}
	if (best)
		return usage_error(cmd, "--%s '%s' is not one of %s; did you mean '%s'?", d->name,
				   arg, list, best);
	return usage_error(cmd, "--%s '%s' is not one of %s", d->name, arg, list);
}

static int
store_value(const char *cmd, const struct opt_def *d, void *value, const char *arg)
{
	if (d->choices) {
		bool found = false;
		for (const char *const *c = d->choices; *c && !found; c++)
			found = strcmp(*c, arg) == 0;
		if (!found)
			return not_a_choice(cmd, d, arg);
	}
	if (d->valid && !d->valid(arg))
		return usage_error(cmd, "--%s '%s' %s", d->name, arg, d->want);
	switch (d->kind) {
	case SWITCH:
		if (value)
			*(bool *)value = true;
		break;
	case VALUE:
		if (value)
			*(const char **)value = arg;
		break;
	case LIST:
		if (value) {
			struct cli_list *l = value;
			l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
			l->v[l->n++] = arg;
		}
		break;
	case NUMBER: {
		char *end;
		errno = 0;
		long v = strtol(arg, &end, 10);
		if (end == arg || *end || errno || v < d->min || v > d->max)
			return usage_error(cmd, "--%s '%s' must be %ld to %ld%s", d->name, arg,
					   d->min, d->max, d->unit ? d->unit : "");
		if (value)
			*(long *)value = v;
		break;
	}
	}
	return 0;
}

bool
cli_parse(const char *cmd, const struct cli_arg *args, cli_help_fn help, int argc, char **argv,
	  int *first, int *status)
{
	int ids[64];
	size_t n = collect_ids(args, ids, sizeof(ids) / sizeof(ids[0]));
	struct option lopts[65];
	char shorts[2 * 64 + 2];
	size_t ns = 0;
	int c;

	shorts[ns++] = ':'; /* a missing value is ':', an unknown option '?' */
	for (size_t i = 0; i < n; i++) {
		const struct opt_def *d = &defs[ids[i]];
		lopts[i] = (struct option){ d->name, d->kind == SWITCH ? no_argument : required_argument,
					    NULL, ids[i] };
		if (d->shortname) {
			shorts[ns++] = d->shortname;
			if (d->kind != SWITCH)
				shorts[ns++] = ':';
		}
	}
	lopts[n] = (struct option){ NULL, 0, NULL, 0 };
	shorts[ns] = '\0';

	*status = EXIT_OK;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		char shortopt[3] = { '-', (char)optopt, '\0' };
		if (c == '?') {
			*status = unknown_option(cmd, optopt ? shortopt : argv[optind - 1], ids, n);
			return false;
		}
		if (c == ':') {
			*status = usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
			return false;
		}
		int id = c;
		for (size_t i = 0; i < n && c < 256; i++)
			if (defs[ids[i]].shortname == c)
				id = ids[i];
		if (id == O_HELP) {
			help(args);
			return false;
		}
		if (id == O_QUIET)
			log_level = LOG_ERROR;
		else if (id == O_VERBOSE)
			log_level = log_level < LOG_INFO ? LOG_INFO : LOG_DEBUG;
		if ((*status = store_value(cmd, &defs[id], value_of(args, id), optarg)) != 0)
			return false;
	}
	if (first)
		*first = optind;
	/* The operands: how many the list allows. */
	const struct cli_arg *one = NULL;
	bool many = false;
	for (const struct cli_arg *a = args; a->id != CLI_END; a++) {
		if (a->id == CLI_OPERAND)
			one = a;
		many = many || a->id == CLI_OPERANDS;
	}
	if (one && optind >= argc) {
		*status = usage_error(cmd, "missing %s", (const char *)one->value);
		return false;
	}
	if (!many && optind + (one ? 1 : 0) < argc) {
		*status = usage_error(cmd, "unexpected argument '%s'", argv[optind + (one ? 1 : 0)]);
		return false;
	}
	return true;
}

/* One help line per option: "  -q, --quiet        text", continuation lines under the text. */
void
cli_opts_help(FILE *fp, const struct cli_arg *args)
{
	for (const struct cli_arg *a = args; a->id != CLI_END; a++) {
		if (a->id == CLI_SECTION) {
			fprintf(fp, "%s\n", (const char *)a->value);
			continue;
		}
		if (a->id == CLI_INCLUDE) {
			cli_opts_help(fp, a->value);
			continue;
		}
		if (a->id < O_HELP)
			continue;
		const struct opt_def *d = &defs[a->id];
		char head[64];
		int len;
		if (d->shortname)
			len = snprintf(head, sizeof(head), "-%c, --%s%s%s", d->shortname, d->name,
				       d->arg ? " " : "", d->arg ? d->arg : "");
		else
			len = snprintf(head, sizeof(head), "--%s%s%s", d->name, d->arg ? " " : "",
				       d->arg ? d->arg : "");
		fprintf(fp, "  %s", head);
		if (len > 18)
			fprintf(fp, "\n%21s", "");
		else
			fprintf(fp, "%*s", 19 - len, "");
		for (const char *p = d->help; *p; p++) {
			fputc(*p, fp);
			if (*p == '\n')
				fprintf(fp, "%21s", "");
		}
		fputc('\n', fp);
	}
}

void
cli_help_footer(FILE *fp)
{
	fprintf(fp, "\nGlobal options, anywhere on the line: -q (errors only), -v (more detail;\n"
		    "-vv traces requests). Exit status: 0 done, 1 failed or partial, 2 usage\n"
		    "error or bad input, 3 the database or an output file cannot be used.\n");
}
