/*
 * palscope why: the story of one customer or subscription. For each matching customer it prints
 * the rollup, then for each subscription the chain identity -> link -> role -> scope -> cost of
 * the deciding identity with a pass/fail mark per step, the reason codes and the fix, in 80
 * columns. Colour only when stdout is a terminal and NO_COLOR is unset. No match: suggestions
 * on stderr, exit 1.
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "db/db.h"
#include "reports/diff.h"
#include "reports/report_csv.h"
#include "reports/period.h"
#include "reports/report.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WIDTH 80
#define MAX_CUSTOMERS 20

struct why_out {
	FILE *fp;
	bool colour;
};

static void
print_help(const struct cli_arg *args)
{
	printf("usage: palscope why <tenant-id | subscription-id | name> [--db FILE] "
	       "[--period YYYY-MM]\n                    [--since RUN|YYYY-MM]\n\n"
	       "Explain why a customer or subscription is (or is not) attributed: the chain\n"
	       "identity -> link -> role -> scope -> cost with a mark per step, the reason codes\n"
	       "and the fix. A name matches any part of a customer or subscription name,\n"
	       "ignoring case.\n\n");
	cli_opts_help(stdout, args);
	cli_help_footer(stdout);
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "";
}

/* Display width of UTF-8 text: code points, not bytes. */
static size_t
text_width(const char *s, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			w++;
	return w;
}

/*
 * Print text word-wrapped to WIDTH: the first line after `lead` (already printed, `used`
 * columns), continuation lines indented by `indent`. Newlines in the text become spaces.
 */
static void
wrap(FILE *fp, const char *text, size_t used, size_t indent)
{
	size_t pos = used;
	const char *p = text;

	while (*p) {
		while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *e = p;
		while (*e && *e != ' ' && *e != '\n' && *e != '\r' && *e != '\t')
			e++;
		size_t w = text_width(p, (size_t)(e - p));
		if (pos > indent && pos + 1 + w > WIDTH) {
			fprintf(fp, "\n%*s", (int)indent, "");
			pos = indent;
		} else if (pos > indent || (pos > used && pos == indent)) {
			fputc(' ', fp);
			pos++;
		}
		fwrite(p, 1, (size_t)(e - p), fp);
		pos += w;
		p = e;
	}
	fputc('\n', fp);
}

/* wrap() for a ';'-separated list: break after each separator. */
static void
wrap_list(FILE *fp, const char *list, size_t used, size_t indent)
{
	struct buf b = BUF_INIT;

	for (const char *p = list; *p; p++) {
		buf_addc(&b, *p);
		if (*p == ';')
			buf_addc(&b, ' ');
	}
	wrap(fp, buf_cstr(&b), used, indent);
	buf_release(&b);
}

static void
mark(struct why_out *o, bool ok)
{
	if (o->colour)
		fputs(ok ? "\033[32m[ok]  \033[0m" : "\033[31m[FAIL]\033[0m", o->fp);
	else
		fputs(ok ? "[ok]  " : "[FAIL]", o->fp);
}

/* One step line: "    [ok]   link      text..." wrapped under the text column. */
static void
step(struct why_out *o, bool ok, const char *name, const char *text)
{
	fputs("    ", o->fp);
	mark(o, ok);
	fprintf(o->fp, " %-9s", name);
	wrap(o->fp, text, 4 + 6 + 1 + 9, 4 + 6 + 1 + 9);
}

static void
status_word(struct why_out *o, const char *status)
{
	const char *c = strcmp(status, "ATTRIBUTED") == 0 ? "\033[32m"
			: strcmp(status, "MISSING") == 0 ? "\033[31m"
							 : "\033[33m";
	if (o->colour)
		fprintf(o->fp, "%s%s\033[0m", c, status);
	else
		fputs(status, o->fp);
}

static void
money(char *out, size_t n, sqlite3_stmt *st, int i, const char *currency)
{
	char num[32];

	csv_format_money(sqlite3_column_double(st, i), num, sizeof(num));
	snprintf(out, n, "%s%s%s", num, *currency ? " " : "", currency);
}

/* ASCII case-insensitive substring test, like the SQL's instr(lower(), lower()). */
static bool
icontains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (str_istarts(hay, needle))
			return true;
	return n == 0;
}

/*
 * The columns of reports/why_pairs.sql, looked up by name once per statement (why_cols_find):
 * a query edit that reorders columns cannot shift a step's reading, and a missing one fails.
 */
enum {
	P_SUB_ID, P_SUB_NAME, P_STATUS, P_CODE, P_REASONS, P_EXPLANATION, P_CHOSEN, P_IDENTITY,
	P_IDENTITY_TENANT, P_VIA_LH, P_CODES, P_FAILURE, P_PARTNER_ID, P_LINK_STATE, P_LINK_CREATED,
	P_EXPECTED, P_ROLES, P_WHOLE, P_RGS, P_START, P_STATE, P_QUOTA, P_TOTAL, P_CURRENCY,
	P_PAIR_ATTRIBUTED, P_N
};

static const char *const why_col_names[P_N] = {
	"subscription_id", "subscription_name", "status", "reason_code", "reasons", "explanation",
	"chosen", "identity_name", "identity_tenant_id", "via_lighthouse", "codes", "failure",
	"partner_id", "link_state", "link_created", "expected_partner_ids", "roles",
	"n_eligible_whole", "covered_rgs", "access_start", "state", "quota_id", "total", "currency",
	"pair_attributed",
};

struct why_row {
	sqlite3_stmt *st;
	int ix[P_N];
};

static int
why_cols_find(struct why_row *r, sqlite3_stmt *st, struct err *err)
{
	int n = sqlite3_column_count(st);

	r->st = st;
	for (int k = 0; k < P_N; k++) {
		r->ix[k] = -1;
		for (int i = 0; i < n; i++)
			if (strcmp(sqlite3_column_name(st, i), why_col_names[k]) == 0)
				r->ix[k] = i;
		if (r->ix[k] < 0)
			return err_set(err, RC_DB, "why: reports/why_pairs.sql has no column %s",
				       why_col_names[k]);
	}
	return 0;
}

static const char *
rcol(const struct why_row *r, int k)
{
	return col(r->st, r->ix[k]);
}

static int
rnum(const struct why_row *r, int k)
{
	return sqlite3_column_int(r->st, r->ix[k]);
}

/* The verdict of one check, by reason-code name: does the pair's codes list hold it? */
static bool
chk(const struct why_row *r, const char *code)
{
	const char *codes = rcol(r, P_CODES);
	size_t n = strlen(code);

	for (const char *p = codes; (p = strstr(p, code)) != NULL; p += n)
		if ((p == codes || p[-1] == ';') && (p[n] == ';' || p[n] == '\0'))
			return true;
	return false;
}

static void
print_chain(struct why_out *o, const struct why_row *r, const char *period)
{
	struct buf b = BUF_INIT;
	char m1[64], m2[64];
	const char *cur = rcol(r, P_CURRENCY);
	bool lh = rnum(r, P_VIA_LH) != 0;

	/* identity */
	buf_printf(&b, "'%s' signed in to %stenant %s", rcol(r, P_IDENTITY),
		   lh ? "the managing " : "", rcol(r, P_IDENTITY_TENANT));
	if (chk(r, "COLLECTION_FAILED"))
		buf_printf(&b, "; a required read failed: %s", rcol(r, P_FAILURE));
	step(o, !chk(r, "COLLECTION_FAILED"), "identity", buf_cstr(&b));
	buf_reset(&b);

	/* subscription */
	buf_printf(&b, "state %s, offer %s", *rcol(r, P_STATE) ? rcol(r, P_STATE) : "?",
		   *rcol(r, P_QUOTA) ? rcol(r, P_QUOTA) : "?");
	if (chk(r, "SUBSCRIPTION_NOT_ACTIVE"))
		buf_adds(&b, " (not active)");
	if (chk(r, "EA_DPOR_EXPECTED"))
		buf_adds(&b, " (Enterprise Agreement: DPOR, not PAL)");
	if (chk(r, "OFFER_EXCLUDED"))
		buf_adds(&b, " (offer excluded)");
	if (chk(r, "CSP_SUBSCRIPTION"))
		buf_adds(&b, " (CSP: may show as CSP, not PAL)");
	if (chk(r, "EA_SUBSCRIPTION"))
		buf_adds(&b, " (Enterprise Agreement: counted, policy ea=pal; Learn still says DPOR)");
	if (chk(r, "CLOUD_NOT_ELIGIBLE"))
		buf_adds(&b, " (Azure Government or China: PAL is not available there)");
	if (chk(r, "MARKETPLACE_OFFER"))
		buf_adds(&b, " (access only through a Marketplace managed-service offer)");
	step(o, !(chk(r, "SUBSCRIPTION_NOT_ACTIVE") || chk(r, "EA_DPOR_EXPECTED") || chk(r, "OFFER_EXCLUDED") ||
		  chk(r, "CLOUD_NOT_ELIGIBLE") || strcmp(rcol(r, P_CODE), "MARKETPLACE_OFFER") == 0),
	     "offer", buf_cstr(&b));
	buf_reset(&b);

	/* link */
	if (chk(r, "COLLECTION_FAILED") && !*rcol(r, P_LINK_STATE) && !*rcol(r, P_PARTNER_ID))
		buf_adds(&b, "unknown (not read)");
	else if (chk(r, "NO_LINK"))
		buf_printf(&b, "not linked%s", strcmp(rcol(r, P_LINK_STATE), "Deleted") == 0
						       ? " (link deleted)" : "");
	else
		buf_printf(&b, "partner ID %s, %s since %s", rcol(r, P_PARTNER_ID),
			   rcol(r, P_LINK_STATE), rcol(r, P_LINK_CREATED));
	if (chk(r, "LINK_WRONG_PARTNER_ID"))
		buf_printf(&b, "; expected %s", rcol(r, P_EXPECTED));
	step(o, !(chk(r, "COLLECTION_FAILED") && !*rcol(r, P_PARTNER_ID)) && !chk(r, "NO_LINK") && !chk(r, "LINK_WRONG_PARTNER_ID"), "link",
	     buf_cstr(&b));
	buf_reset(&b);

	/* role */
	for (const char *p = rcol(r, P_ROLES); *p; p++) {
		buf_addc(&b, *p);
		if (*p == ';')
			buf_addc(&b, ' ');
	}
	if (!*rcol(r, P_ROLES))
		buf_adds(&b, "no role assignment");
	if (chk(r, "ROLE_NOT_ELIGIBLE"))
		buf_adds(&b, "; none eligible for partner earned credit");
	if (chk(r, "ASSIGNMENT_TOO_RECENT"))
		buf_printf(&b, "; eligible access began %s, after %s", rcol(r, P_START), period);
	else if (*rcol(r, P_START) && !chk(r, "NO_RBAC") && !chk(r, "ROLE_NOT_ELIGIBLE"))
		buf_printf(&b, "; eligible since %s", rcol(r, P_START));
	if (chk(r, "ROLE_ELIGIBILITY_UNKNOWN"))
		buf_adds(&b, "; eligibility inferred (custom or unlisted role)");
	step(o, !(chk(r, "NO_RBAC") || chk(r, "ROLE_NOT_ELIGIBLE") || chk(r, "ASSIGNMENT_TOO_RECENT")), "role", buf_cstr(&b));
	buf_reset(&b);

	/* scope */
	if (chk(r, "NO_RBAC") || chk(r, "ROLE_NOT_ELIGIBLE"))
		buf_adds(&b, "no eligible access");
	else if (rnum(r, P_WHOLE) > 0)
		buf_adds(&b, "whole subscription");
	else
		buf_printf(&b, "resource group(s) %s only", rcol(r, P_RGS));
	if (chk(r, "SCOPE_EXCLUDES_USAGE"))
		buf_adds(&b, ", which had no cost in the period");
	step(o, !(chk(r, "NO_RBAC") || chk(r, "ROLE_NOT_ELIGIBLE") || chk(r, "SCOPE_EXCLUDES_USAGE")), "scope", buf_cstr(&b));
	buf_reset(&b);

	/* cost */
	if (chk(r, "USAGE_UNREADABLE")) {
		buf_adds(&b, "unreadable");
	} else {
		money(m1, sizeof(m1), r->st, r->ix[P_TOTAL], cur);
		buf_printf(&b, "%s in %s", m1, period);
		if (sqlite3_column_type(r->st, r->ix[P_PAIR_ATTRIBUTED]) != SQLITE_NULL) {
			money(m2, sizeof(m2), r->st, r->ix[P_PAIR_ATTRIBUTED], cur);
			buf_printf(&b, ", %s attributed", m2);
		}
		if (chk(r, "NO_USAGE"))
			buf_adds(&b, " (no usage)");
	}
	step(o, !(chk(r, "USAGE_UNREADABLE") || chk(r, "NO_USAGE")), "cost", buf_cstr(&b));
	buf_release(&b);
}

/* The --since pair: from (earlier) and to (the newest complete run of why's period). */
struct why_since {
	int64_t from, to;
	char from_period[8], to_period[8];
};

/* "counted in 2026-09" / "missing in run 4 (NO_LINK)": one side of the --since story. */
static void
since_side(struct buf *b, const char *status, const char *reason, double amount,
	   const char *currency, const char *period, int64_t run, bool same_period)
{
	if (*status == '\0')
		buf_printf(b, "not reported");
	else if (strcmp(status, "ATTRIBUTED") == 0)
		buf_printf(b, "counted (%.2f %s)", amount, currency);
	else
		buf_printf(b, "%s (%s)", strcmp(status, "MISSING") == 0 ? "missing" : "unknown",
			   reason);
	if (same_period)
		buf_printf(b, " as of run %" PRId64, run);
	else
		buf_printf(b, " in %s", period);
}

/* The story of one customer since the earlier run, at the top of its answer. */
static int
print_since(struct why_out *o, struct db *db, const struct why_since *ws, const char *tenant,
	    struct err *err)
{
	sqlite3_stmt *st = NULL;
	struct buf b = BUF_INIT;
	bool same = strcmp(ws->from_period, ws->to_period) == 0;
	int rc;

	if ((rc = db_prepare(db, "@reports/why_since.sql", &st, err)) < 0)
		return rc;
	db_bind_text(st, ":tenant_id", tenant);
	buf_printf(&b, "Since run %" PRId64 " (%s): ", ws->from, ws->from_period);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *cur = col(st, 6), *cause = col(st, 7);
		since_side(&b, col(st, 0), col(st, 2), sqlite3_column_double(st, 4), cur,
			   ws->from_period, ws->from, same);
		buf_printf(&b, ", ");
		since_side(&b, col(st, 1), col(st, 3), sqlite3_column_double(st, 5), cur,
			   ws->to_period, ws->to, same);
		if (*cause)
			buf_printf(&b, ": %s. %s.", cause, col(st, 8));
		else
			buf_printf(&b, ". %s.", col(st, 8));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		buf_printf(&b, "no change in status, reason or attributed usage as of run %" PRId64
			       " (%s).", ws->to, ws->to_period);
		rc = 0;
	} else {
		rc = err_set(err, RC_DB, "why --since: %s", sqlite3_errmsg(db->h));
	}
	sqlite3_finalize(st);
	if (rc == 0) {
		wrap(o->fp, buf_cstr(&b), 0, 2);
		fputc('\n', o->fp);
	}
	buf_release(&b);
	return rc;
}

static int
print_customer(struct why_out *o, struct db *db, sqlite3_stmt *cst, const char *period,
	       const char *q, struct err *err)
{
	sqlite3_stmt *st = NULL;
	struct why_row r;
	const char *tenant = col(cst, 0);
	bool whole = sqlite3_column_int(cst, 10) != 0;
	char m[64];
	int rc;

	fputs("Customer ", o->fp);
	status_word(o, col(cst, 2));
	if (*col(cst, 3))
		fprintf(o->fp, " %s", col(cst, 3));
	fputc(':', o->fp);
	wrap(o->fp, col(cst, 1), 10 + strlen(col(cst, 2)) + (*col(cst, 3) ? 1 + strlen(col(cst, 3)) : 0),
	     4);
	money(m, sizeof(m), cst, 7, col(cst, 8));
	fprintf(o->fp, "  tenant %s\n  %d of %d subscription(s) attributed, %s\n", tenant,
		sqlite3_column_int(cst, 6), sqlite3_column_int(cst, 5), m);
	if (*col(cst, 4)) {
		fputs("  reasons:", o->fp);
		wrap_list(o->fp, col(cst, 4), 10, 4);
	}
	fputs("  ", o->fp);
	wrap(o->fp, col(cst, 9), 2, 2);

	rc = db_prepare(db, "@reports/why_pairs.sql", &st, err);
	if (rc < 0)
		goto out;
	db_bind_text(st, ":period", period);
	db_bind_text(st, ":tenant_id", tenant);
	db_bind_text(st, ":subscription_id", NULL);
	if ((rc = why_cols_find(&r, st, err)) < 0)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sid = rcol(&r, P_SUB_ID), *sname = rcol(&r, P_SUB_NAME);
		bool chosen = rnum(&r, P_CHOSEN) != 0;
		if (!whole && !str_ieq(sid, q) && !icontains(sname, q))
			continue;
		if (chosen) {
			fputs("\n  Subscription ", o->fp);
			status_word(o, rcol(&r, P_STATUS));
			if (*rcol(&r, P_CODE))
				fprintf(o->fp, " %s", rcol(&r, P_CODE));
			fputc(':', o->fp);
			wrap(o->fp, sname,
			     16 + strlen(rcol(&r, P_STATUS)) +
				     (*rcol(&r, P_CODE) ? 1 + strlen(rcol(&r, P_CODE)) : 0),
			     6);
			fprintf(o->fp, "    id %s\n", sid);
			print_chain(o, &r, period);
			fprintf(o->fp, "    %-16s", "reasons");
			wrap_list(o->fp, *rcol(&r, P_REASONS) ? rcol(&r, P_REASONS) : "-", 20, 20);
			fprintf(o->fp, "    %-16s", "fix");
			wrap(o->fp, rcol(&r, P_EXPLANATION), 20, 20);
		} else {
			struct buf b = BUF_INIT;
			buf_printf(&b, "also seen by '%s' (tenant %s): %s", rcol(&r, P_IDENTITY),
				   rcol(&r, P_IDENTITY_TENANT),
				   *rcol(&r, P_CODES) ? rcol(&r, P_CODES) : "passes every check");
			fputs("    ", o->fp);
			wrap(o->fp, buf_cstr(&b), 4, 6);
			buf_release(&b);
		}
	}
	if (rc != SQLITE_DONE) {
		rc = err_set(err, RC_DB, "why: %s", db_errmsg(db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* Approximate substring distance: edits to make q appear somewhere in name (ASCII case-folded). */
static size_t
fuzzy_distance(const char *q, const char *name)
{
	size_t m = strlen(q), n = strlen(name), best;
	size_t *prev, *cur;

	if (m > 64)
		m = 64;
	if (n > 256)
		n = 256;
	prev = xcalloc(n + 1, sizeof(*prev));
	cur = xcalloc(n + 1, sizeof(*cur));
	for (size_t i = 1; i <= m; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= n; j++) {
			size_t sub = prev[j - 1] + (tolower((unsigned char)q[i - 1]) !=
						    tolower((unsigned char)name[j - 1]));
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		size_t *t = prev;
		prev = cur;
		cur = t;
	}
	best = m;
	for (size_t j = 0; j <= n; j++)
		if (prev[j] < best)
			best = prev[j];
	free(prev);
	free(cur);
	return best;
}

static void
suggest(struct db *db, const char *period, const char *q)
{
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;
	char *best[3] = { NULL, NULL, NULL };
	size_t dist[3] = { (size_t)-1, (size_t)-1, (size_t)-1 };
	size_t limit = strlen(q) / 3 + 1;

	if (db_prepare(db, "@reports/why_names.sql", &st, &err) < 0)
		return;
	db_bind_text(st, ":period", period);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = col(st, 0);
		size_t d = fuzzy_distance(q, name);
		if (d > limit)
			continue;
		for (int i = 0; i < 3; i++) {
			if (d < dist[i]) {
				free(best[2]);
				for (int k = 2; k > i; k--) {
					best[k] = best[k - 1];
					dist[k] = dist[k - 1];
				}
				best[i] = xstrdup(name);
				dist[i] = d;
				break;
			}
		}
	}
	sqlite3_finalize(st);
	if (best[0]) {
		fputs("did you mean:", stderr);
		for (int i = 0; i < 3 && best[i]; i++)
			fprintf(stderr, "%s '%s'", i ? "," : "", best[i]);
		fputc('\n', stderr);
	}
	for (int i = 0; i < 3; i++)
		free(best[i]);
}

/*
 * q is a tenant or subscription id that no identity of the period saw: say so, and name what
 * could have seen it (reports/why_unseen.sql): the identities of its tenant (when a run saw it,
 * or an identity signs in to it) that failed to sign in or read their subscriptions, with the
 * error, or that saw no subscription (NO_RBAC); else those of every tenant.
 */
static void
unseen(struct db *db, const char *period, const char *q)
{
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;
	bool first = true;

	fprintf(stderr, "palscope: no identity saw a subscription or tenant %s in %s\n", q, period);
	if (db_prepare(db, "@reports/why_unseen.sql", &st, &err) < 0) {
		log_error("%s", err.msg);
		return;
	}
	db_bind_text(st, ":period", period);
	db_bind_text(st, ":q", q);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *tenants = col(st, 8);
		int n_target = sqlite3_column_int(st, 9);
		if (first) {
			if (*col(st, 5))
				fprintf(stderr, "  (%s saw it as subscription '%s' of tenant %s)\n",
					col(st, 5), col(st, 6), col(st, 7));
			if (sqlite3_column_type(st, 0) != SQLITE_NULL)
				fprintf(stderr, "  what could have seen it%s%s:\n",
					*tenants ? ", identities of tenant " : "", tenants);
			first = false;
		}
		if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
			if (*tenants && n_target == 0)
				fprintf(stderr, "  no identity of tenant %s is in the runs of %s: add "
						"one to the accounts file (or import its files) and "
						"collect again\n",
					tenants, period);
			else
				fprintf(stderr, "  every identity%s%s of %s signed in and read its "
						"subscription list, and none lists it: an identity with "
						"a role on it (or a Lighthouse delegation) must be in the "
						"accounts file\n",
					*tenants ? " of tenant " : "", tenants, period);
		} else if (*col(st, 2)) {
			fputs("  - ", stderr);
			wrap(stderr, col(st, 3), 4, 4);
		} else {
			struct buf b = BUF_INIT;
			buf_printf(&b, "'%s' signed in to tenant %s but sees no subscription (NO_RBAC): "
				       "a role on the subscription, or a Lighthouse delegation to it, "
				       "would show it",
				   col(st, 0), col(st, 1));
			fputs("  - ", stderr);
			wrap(stderr, buf_cstr(&b), 4, 4);
			buf_release(&b);
		}
	}
	sqlite3_finalize(st);
}

int
cmd_why(int argc, char **argv)
{
	const char *dbpath = NULL, *period = NULL, *since = NULL, *q;
	struct why_since ws = { 0, 0, "", "" };
	const struct cli_arg args[] = {
		{ O_DB, &dbpath },
		{ O_PERIOD, &period },
		{ O_SINCE, &since },
		{ CLI_OPERAND, (char *)"customer or subscription (id or name)" },
		{ CLI_END, NULL },
	};
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;
	struct why_out o = { stdout, false };
	char dflt[16];
	int pos, rc = EXIT_OK, n = 0, step_rc;

	if (!cli_parse("why", args, print_help, argc, argv, &pos, &rc))
		return rc;
	q = argv[pos];
	if (*q == '\0')
		return usage_error("why", "empty name");
	o.colour = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;

	if (cli_db_open(&db, dbpath, 0, &err) < 0)
		goto fail;
	if (cli_report_period(&db, &period, dflt, sizeof(dflt), &err) < 0)
		goto fail;
	/* --since: the change views for (since, the newest complete run of the period) */
	if (since && (diff_resolve(&db, "--since", period, 0, &ws.to, ws.to_period, &err) < 0 ||
		      diff_resolve(&db, "--since", since, ws.to, &ws.from, ws.from_period, &err) < 0 ||
		      diff_prepare(&db, ws.from, ws.to, &err) < 0))
		goto fail;
	/*
	 * Evaluate the views for the customers q can be about only (PALSCOPE_WHY_FULL=1: the
	 * whole period, the same answer, for comparison).
	 */
	if (!getenv("PALSCOPE_WHY_FULL") && report_why_scope(&db, period, q, &err) < 0)
		goto fail;
	if (report_why_prepare(&db, period, &err) < 0 ||
	    db_prepare(&db, "@reports/why_match.sql", &st, &err) < 0)
		goto fail;
	db_bind_text(st, ":period", period);
	db_bind_text(st, ":q", q);
	while ((step_rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (++n > MAX_CUSTOMERS)
			continue;
		if (n > 1)
			fputs("\n", o.fp);
		if (since && print_since(&o, &db, &ws, col(st, 0), &err) < 0)
			goto fail;
		if (print_customer(&o, &db, st, period, q, &err) < 0)
			goto fail;
	}
	if (step_rc != SQLITE_DONE) {
		err_set(&err, RC_DB, "why: %s", db_errmsg(&db));
		goto fail;
	}
	if (n > MAX_CUSTOMERS)
		fprintf(o.fp, "\n(%d more customers match '%s'; give a longer name or an id)\n",
			n - MAX_CUSTOMERS, q);
	if (n == 0) {
		/* what could have seen it, or names like it: over the whole period */
		sqlite3_finalize(st);
		st = NULL;
		if (report_why_unscope(&db, &err) < 0 || report_why_prepare(&db, period, &err) < 0)
			goto fail;
		if (is_guid(q)) {
			unseen(&db, period, q);
		} else {
			fprintf(stderr, "palscope: no customer or subscription matches '%s' in %s\n",
				q, period);
			suggest(&db, period, q);
		}
		rc = EXIT_FAILED;
	}
	goto done;
fail:
	rc = cli_fail(&err);
done:
	sqlite3_finalize(st);
	db_close(&db);
	return rc;
}
