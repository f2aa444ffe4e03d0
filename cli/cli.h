/* The subcommands. Each lives in cli/cmd_<name>.c with its own help text. */
#ifndef PALSCOPE_CLI_CLI_H
#define PALSCOPE_CLI_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "collector/session.h"

/*
 * Exit statuses (README "Exit status"): 0 done; 1 a runtime failure or a partial result (some
 * identity failed, no run for the period, a request failed); 2 a usage error or input that
 * cannot be read or is not valid (nothing was changed); 3 the database or an output file cannot
 * be used (locked, full, read-only, corrupt, not a palscope database).
 */
enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_DB_IO = 3 };

struct db;
struct err;

/* The exit status of an RC_* code (common/err.h): the one place that maps them (main.c). */
int cli_exit_status(int code);

/* Print err's message as the one error line and return cli_exit_status(err->code). */
int cli_fail(const struct err *err);

/* The end of a command that opened db: close it; failed: cli_fail(err). The exit status. */
int cli_close(struct db *db, const struct err *err, bool failed);

/*
 * db_open / db_connect (db/db.h) of --db (else $PALSCOPE_DB, else palscope.db), after a
 * warning when an existing file is readable or writable by others (mode looser than 0600).
 */
int cli_db_open(struct db *db, const char *opt, unsigned flags, struct err *err);
int cli_db_connect(struct db *db, const char *opt, unsigned flags, struct err *err);

/* Each takes argv starting at the command name and returns an EXIT_* code. */
int cmd_collect(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_why(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_reconcile(int argc, char **argv);
int cmd_rules(int argc, char **argv);
/* login and logout (cli/cmd_login.c) */
int cmd_login(int argc, char **argv);

/* Print "palscope: error: <msg>" plus the help pointer; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct accounts;
struct azure_endpoint;
struct user_credential;
struct user_tenant_pages;
/*
 * --user: the signed-in user into cred (the token cache, or with no_cache a device code
 * sign-in for this run only) and one AUTH_USER identity per tenant into out: those of
 * tenants_path, else every tenant the user reaches (GET /tenants; its pages into *pages when
 * pages is not NULL, caller frees). The newest refresh token is saved unless no_cache. 0, or the
 * exit status of the error (reported on stderr).
 */
int cli_user_accounts(const char *cmd, const struct azure_endpoint *ep, const char *tenants_path,
		      bool no_cache, struct user_credential *cred, struct accounts *out,
		      struct user_tenant_pages *pages);

/*
 * --az: one AUTH_AZ identity per tenant the Azure CLI's sign-in reaches into out (az's default
 * tenant first; collector/user_tenants.h az_tenants_list), the GET /tenants pages into *pages
 * (caller frees). 0, or the exit status of the error (reported on stderr).
 */
int cli_az_accounts(const char *cmd, const struct azure_endpoint *ep, struct accounts *out,
		    struct user_tenant_pages *pages);

/*
 * The accounts file's `auth az` line without a tenant: az's sign-in's tenants (az_tenants_list,
 * as --az; the other lines' secret variables unset for az) in its place, one AUTH_AZ identity
 * each, but a tenant that has an az line of its own; the GET /tenants pages into *pages (caller
 * frees). *expanded says whether there was one. 0, or the exit status of the error (reported).
 */
int cli_az_expand(const char *cmd, const struct azure_endpoint *ep, struct accounts *accts,
		  struct user_tenant_pages *pages, bool *expanded);

/*
 * The accounts file's `auth user` lines: the signed-in user of palscope login into cred (from
 * the token cache) and its UPN into those identities; *have says whether cred was loaded.
 * 0, or the exit status of the error (reported on stderr).
 */
int cli_user_for_accounts(const char *cmd, const struct azure_endpoint *ep, struct accounts *accts,
			  struct user_credential *cred, bool *have);

/* The database path: --db value, else $PALSCOPE_DB, else "palscope.db". */
const char *default_db_path(const char *opt);

/*
 * The period a report reads: *period as given, else the newest run's (written to buf, n
 * bytes); refused (RC_NOTFOUND, naming the periods that have runs) when the period has no
 * run; a run collected before its period ended is warned about.
 */
int cli_report_period(struct db *db, const char **period, char *buf, size_t n, struct err *err);

/* ---- shared by the commands that talk to Azure (cli/common_opts.c) ---- */

struct cli_cloud {
	const char *name;	/* public | china | usgov */
	const char *arm;	/* Resource Manager endpoint, also the token audience */
	const char *login;	/* identity platform */
	const char *graph;	/* Microsoft Graph, also its token audience */
};

/* The cloud called name, or NULL. */
const struct cli_cloud *cli_find_cloud(const char *name);

/* A copy of url without trailing slashes; caller frees. */
char *cli_normalise_url(const char *url);

/*
 * 0 when url is https://, or http:// to a loopback host; else prints a usage
 * error naming cmd and opt and returns EXIT_USAGE.
 */
int cli_check_url(const char *cmd, const char *opt, const char *url);

/* 1 to 12 digits (a partner location / MPN ID). */
bool cli_valid_partner_id(const char *s);

/* A run id: 1 to 18 digits, not 0. */
bool cli_parse_run_id(const char *s, int64_t *out);

/* --cloud, --arm-url, --login-url and --ca-bundle as given (NULL = not given). */
struct cli_endpoint_opts {
	const char *cloud;
	const char *arm_url;
	const char *login_url;
	const char *graph_url;	/* NULL: the cloud's */
	const char *ca_bundle;
};

struct cli_endpoints {
	const struct cli_cloud *cloud;
	char *arm;		/* normalised; owned */
	char *login;		/* normalised; owned */
	char *graph;		/* normalised; owned */
};

/*
 * Check the endpoint options and resolve the URLs. Returns 0, or EXIT_USAGE
 * after printing the usage error (out is then empty).
 */
int cli_endpoints_resolve(const char *cmd, const struct cli_endpoint_opts *in,
			  struct cli_endpoints *out);
void cli_endpoints_release(struct cli_endpoints *e);

/*
 * The endpoint collect and link talk to: the resolved URLs, the cloud's ARM
 * resource as token audience, a 10 s connect timeout, timeout_s per request
 * (0: 120 s), concurrency (0: 16) and the default retry policy. Borrows e.
 */
struct azure_endpoint cli_azure_endpoint(const struct cli_endpoints *e, const char *ca_bundle,
					 long concurrency, long timeout_s);

/*
 * From now on SIGINT and SIGTERM set cli_got_signal (the signal) and
 * cli_stop_flag (1), which long-running commands poll to stop cleanly;
 * SIGPIPE is ignored.
 */
void cli_on_stop_signals(void);
extern volatile sig_atomic_t cli_got_signal;
extern volatile sig_atomic_t cli_stop_flag;

#endif
