#include "links/render.h"

#include <errno.h>
#include <string.h>

#include "collector/accounts.h"
#include "links/plan.h"

#define T OUT_T_TEXT
#define I OUT_T_INT
#define COUNT(a) (sizeof(a) / sizeof(a[0]))

static const struct out_field show_fields[] = {
	{ "identity", T },     { "tenant_id", T },    { "client_id", T },    { "object_id", T },
	{ "linked", I },       { "partner_id", T },   { "partner_name", T }, { "state", T },
	{ "created_time", T }, { "updated_time", T }, { "status", T },	     { "error", T },
};
static const struct out_field show_table[] = {
	{ "IDENTITY", T }, { "TENANT", T },  { "PARTNER", T },
	{ "STATE", T },	   { "UPDATED", T }, { "PARTNER NAME", T },
};

static const struct out_field plan_fields[] = {
	{ "identity", T },	 { "tenant_id", T },	{ "client_id", T },  { "selected", I },
	{ "current_partner_id", T }, { "action", T },	{ "result", T },     { "http_status", I },
	{ "request_id", T },	 { "partner_after", T }, { "status", T },    { "detail", T },
};
static const struct out_field plan_table[] = {
	{ "IDENTITY", T }, { "TENANT", T }, { "CURRENT", T }, { "ACTION", T }, { "DETAIL", T },
};
static const struct out_field apply_table[] = {
	{ "IDENTITY", T }, { "TENANT", T }, { "CURRENT", T }, { "ACTION", T }, { "RESULT", T },
};

static const struct out_field history_fields[] = {
	{ "change_id", I },	 { "batch_id", I },	 { "command", T },     { "started_at", T },
	{ "finished_at", T },	 { "identity", T },	 { "client_id", T },   { "tenant_id", T },
	{ "object_id", T },	 { "operation", T },	 { "method", T },      { "partner_before", T },
	{ "partner_after", T },	 { "outcome", T },	 { "http_status", I }, { "request_id", T },
	{ "error_code", T },	 { "error_message", T }, { "explanation", T },
};

#undef T
#undef I

static const char *
or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* out_end: 0, or the errno of the failed write */
static int
finish(struct out *o)
{
	return out_end(o) < 0 ? (o->errnum ? o->errnum : EIO) : 0;
}

int
link_print_show(FILE *fp, const struct link_result *res, size_t n, enum out_format fmt)
{
	struct out o;

	if (fmt == OUT_TABLE) {
		out_begin(&o, fp, fmt, 0, show_table, COUNT(show_table));
		for (size_t i = 0; i < n; i++) {
			const struct link_result *r = &res[i];
			out_str(&o, account_name(r->acct));
			out_str(&o, r->acct->tenant_id);
			if (r->failed) {
				out_str(&o, "?");
				out_str(&o, "?");
				out_null(&o);
				char msg[1100];
				snprintf(msg, sizeof(msg), "error: %s", r->explanation);
				out_str(&o, msg);
			} else {
				out_str(&o, r->linked ? r->partner_id : "-");
				out_str(&o, r->linked ? or_dash(r->state) : "none");
				out_str(&o, r->linked ? or_dash(r->updated_time) : "-");
				out_str(&o, r->linked ? or_dash(r->partner_name) : "not linked");
			}
			out_end_row(&o);
		}
		return finish(&o);
	}
	out_begin(&o, fp, fmt, 0, show_fields, COUNT(show_fields));
	for (size_t i = 0; i < n; i++) {
		const struct link_result *r = &res[i];
		out_str(&o, account_name(r->acct));
		out_str(&o, r->acct->tenant_id);
		out_str(&o, r->acct->client_id);
		out_str(&o, r->link_object_id[0] ? r->link_object_id : r->oid);
		if (r->read_ok)
			out_int(&o, r->linked ? 1 : 0);
		else
			out_null(&o);
		out_str(&o, r->linked ? r->partner_id : NULL);
		out_str(&o, r->linked ? r->partner_name : NULL);
		out_str(&o, r->read_ok ? r->state : NULL);
		out_str(&o, r->created_time);
		out_str(&o, r->updated_time);
		out_str(&o, r->failed ? "failed" : "ok");
		out_str(&o, r->failed ? r->explanation : NULL);
		out_end_row(&o);
	}
	return finish(&o);
}

/* The result column of plan/apply/remove. */
static void
result_text(const struct link_result *r, enum link_cmd cmd, char *out, size_t n)
{
	if (r->outcome == LINK_O_OK) {
		const char *note = r->explanation[0] ? r->explanation : NULL;
		if (r->d.verdict == LINK_V_REMOVE)
			snprintf(out, n, "done: link to %s removed (HTTP %ld, request %s)%s%s",
				 r->partner_id, r->http_status, or_dash(r->request_id),
				 note ? "; " : "", note ? note : "");
		else
			snprintf(out, n, "done: now linked to %s (HTTP %ld, request %s)%s%s",
				 or_dash(r->after), r->http_status, or_dash(r->request_id),
				 note ? "; " : "", note ? note : "");
		return;
	}
	if (r->failed) {
		if (r->outcome == LINK_O_FAILED)
			snprintf(out, n, "FAILED (HTTP %ld, request %s): %s", r->http_status,
				 or_dash(r->request_id), r->explanation);
		else
			snprintf(out, n, "FAILED: %s", r->explanation);
		return;
	}
	if (cmd == LINK_CMD_PLAN && link_verdict_writes(r->d.verdict))
		snprintf(out, n, "would %s: %s", r->d.operation, r->d.reason);
	else
		snprintf(out, n, "%s", r->d.reason);
}

int
link_print_plan(FILE *fp, const struct link_result *res, size_t n, enum link_cmd cmd,
		enum out_format fmt)
{
	struct out o;
	char text[1600];

	if (fmt == OUT_TABLE)
		out_begin(&o, fp, fmt, 0, cmd == LINK_CMD_PLAN ? plan_table : apply_table,
			  COUNT(plan_table));
	else
		out_begin(&o, fp, fmt, 0, plan_fields, COUNT(plan_fields));
	for (size_t i = 0; i < n; i++) {
		const struct link_result *r = &res[i];
		const char *cur = !r->selected ? "" : !r->read_ok ? "?" : r->linked ? r->partner_id : "none";
		const char *action = r->failed && !link_verdict_writes(r->d.verdict)
					     ? "error"
					     : link_verdict_name(r->d.verdict);
		result_text(r, cmd, text, sizeof(text));
		out_str(&o, account_name(r->acct));
		out_str(&o, r->acct->tenant_id);
		if (fmt == OUT_TABLE) {
			out_str(&o, or_dash(cur));
			out_str(&o, action);
			out_str(&o, text);
			out_end_row(&o);
			continue;
		}
		out_str(&o, r->acct->client_id);
		out_int(&o, r->selected ? 1 : 0);
		out_str(&o, r->selected && r->read_ok ? (r->linked ? r->partner_id : "") : NULL);
		out_str(&o, action);
		out_str(&o, r->outcome == LINK_O_OK ? "done" : r->failed ? "failed"
					   : cmd == LINK_CMD_PLAN && link_verdict_writes(r->d.verdict)
						   ? "planned"
						   : "unchanged");
		if (r->http_status)
			out_int(&o, r->http_status);
		else
			out_null(&o);
		out_str(&o, r->request_id);
		out_str(&o, r->outcome == LINK_O_OK ? r->after : NULL);
		out_str(&o, r->failed ? "failed" : "ok");
		out_str(&o, text);
		out_end_row(&o);
	}
	return finish(&o);
}

void
link_print_summary(FILE *fp, enum link_cmd cmd, const char *partner_id,
		   const struct link_run_stats *st, int64_t batch, const char *dbpath)
{
	int not_selected = st->identities - st->selected;

	if (cmd == LINK_CMD_SHOW) {
		fprintf(fp, "\nlink show: %d identities, %d could not be read; %ld requests (%ld "
			    "retries, %ld throttled), %.1fs\n",
			st->identities, st->failed, st->requests, st->retries, st->throttled,
			st->seconds);
		return;
	}
	if (cmd == LINK_CMD_PLAN)
		fprintf(fp, "\nlink plan for partner ID %s: %d to create, %d to update, %d already "
			    "linked, %d skipped",
			partner_id, st->created, st->updated, st->unchanged, st->skipped);
	else if (cmd == LINK_CMD_APPLY)
		fprintf(fp, "\nlink apply of partner ID %s: %d created, %d updated, %d unchanged, %d "
			    "skipped",
			partner_id, st->created, st->updated, st->unchanged, st->skipped);
	else
		fprintf(fp, "\nlink remove of partner ID %s: %d removed, %d unchanged, %d kept (linked "
			    "to another ID)",
			partner_id, st->removed, st->unchanged, st->skipped);
	fprintf(fp, ", %d failed", st->failed);
	if (not_selected)
		fprintf(fp, ", %d not selected", not_selected);
	fprintf(fp, " (%d identities); %ld requests (%ld retries, %ld throttled), %.1fs\n",
		st->identities, st->requests, st->retries, st->throttled, st->seconds);
	if (batch > 0)
		fprintf(fp, "audit: batch %lld in %s ('palscope link history' lists it)\n",
			(long long)batch, dbpath);
	if (cmd == LINK_CMD_PLAN && (st->created || st->updated))
		fprintf(fp, "run 'palscope link apply' with the same options to make these changes\n");
}

/* ---- history ------------------------------------------------------------------- */

/* s padded with spaces to w display columns (at least one space after it) */
static void
padded(FILE *fp, const char *s, size_t w)
{
	size_t have = out_display_width(s, strlen(s));

	fputs(s, fp);
	do
		fputc(' ', fp);
	while (++have < w + 1);
}

void
link_history_begin(struct link_history_out *h, FILE *fp, enum out_format fmt)
{
	memset(h, 0, sizeof(*h));
	h->fmt = fmt;
	if (fmt != OUT_TABLE) {
		out_begin(&h->o, fp, fmt, 0, history_fields, COUNT(history_fields));
		return;
	}
	h->o.fp = fp;
	fprintf(fp, "%-5s %-20s %-6s %-24s %-36s %-7s %10s    %-10s %-8s %-4s %s\n", "#", "TIME",
		"CMD", "IDENTITY", "TENANT", "CHANGE", "BEFORE", "AFTER", "OUTCOME", "HTTP",
		"REQUEST ID");
}

int
link_history_row(const struct link_history_row *r, void *payload)
{
	struct link_history_out *h = payload;
	FILE *fp = h->o.fp;

	h->rows++;
	if (h->fmt != OUT_TABLE) {
		struct out *o = &h->o;
		out_int(o, r->change_id);
		out_int(o, r->batch_id);
		out_str(o, r->command);
		out_str(o, r->started_at);
		out_str(o, r->finished_at);
		out_str(o, r->identity);
		out_str(o, r->client_id);
		out_str(o, r->tenant_id);
		out_str(o, r->object_id);
		out_str(o, r->operation);
		out_str(o, r->method);
		out_str(o, r->partner_before);
		out_str(o, r->partner_after);
		out_str(o, r->outcome);
		if (r->http_status)
			out_int(o, r->http_status);
		else
			out_null(o);
		out_str(o, r->request_id);
		out_str(o, r->error_code);
		out_str(o, r->error_message);
		out_str(o, r->explanation);
		out_end_row(o);
		return 0;
	}
	/* The table: fixed columns (the identity by display width), the explanation under the row. */
	char http[16] = "-";
	if (r->http_status)
		snprintf(http, sizeof(http), "%ld", r->http_status);
	const char *outcome = strcmp(r->outcome, "pending") == 0 ? "unknown" : r->outcome;
	fprintf(fp, "%-5lld %-20s %-6s ", (long long)r->change_id, or_dash(r->started_at),
		or_dash(r->command));
	padded(fp, or_dash(r->identity), 24);
	fprintf(fp, "%-36s %-7s %10s -> %-10s %-8s %-4s %s\n", or_dash(r->tenant_id),
		or_dash(r->operation), or_dash(r->partner_before), or_dash(r->partner_after),
		outcome, http, or_dash(r->request_id));
	if (strcmp(r->outcome, "pending") == 0)
		fprintf(fp, "      interrupted before the answer arrived: the change may or may not "
			    "have been made\n");
	else if (r->explanation && *r->explanation)
		fprintf(fp, "      %s\n", r->explanation);
	return 0;
}

int
link_history_end(struct link_history_out *h)
{
	if (h->fmt != OUT_TABLE)
		return out_end(&h->o);
	if (h->rows == 0)
		fprintf(h->o.fp, "(no link changes recorded)\n");
	if (fflush(h->o.fp) != 0 || ferror(h->o.fp)) {
		h->o.errnum = errno ? errno : EIO;
		return -1;
	}
	return 0;
}
