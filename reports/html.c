/*
 * The HTML report's page, drawn from the model (reports/html_model.c) alone: every figure in the
 * page is a field of the model, which is embedded once as JSON for the script
 * (reports/html/report.js: sort, filter, expand; the page is complete without it). Every text
 * is escaped with html_escape; the charts are inline SVG; the only script is the embedded one,
 * allowed by its SHA-256 in the Content-Security-Policy, which forbids every fetch.
 */
#include "reports/html.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "common/log.h"
#include "common/xalloc.h"
#include "db/sql_embed.h"
#include "reports/html_embed.h"
#include "reports/report.h"
#include "reports/report_csv.h"

#define P(s) fputs(s, fp)

static const char *
embedded(const char *name)
{
	for (const struct sql_file *f = html_files; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f->text;
	return "";
}

void
html_escape(FILE *fp, const char *s)
{
	while (s && *s) {
		/* the run up to the next character to escape, in one write */
		size_t n = strcspn(s, "&<>\"'");
		if (n > 0)
			fwrite(s, 1, n, fp);
		s += n;
		switch (*s) {
		case '&': P("&amp;"); break;
		case '<': P("&lt;"); break;
		case '>': P("&gt;"); break;
		case '"': P("&quot;"); break;
		case '\'': P("&#39;"); break;
		default: return;
		}
		s++;
	}
}

static const cJSON *
get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

const char *
html_json_str(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(get(o, key));
	return s ? s : "";
}

double
html_json_num(const cJSON *o, const char *key)
{
	const cJSON *v = get(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

#define str html_json_str
#define num html_json_num

static bool
has_num(const cJSON *o, const char *key)
{
	return cJSON_IsNumber(get(o, key));
}

/* A plain number for data-* attributes: "1234.5" ("" for null). */
static void
plain(FILE *fp, const cJSON *v)
{
	char b[32];

	if (!cJSON_IsNumber(v))
		return;
	if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15)
		fprintf(fp, "%.0f", v->valuedouble);
	else {
		csv_format_money(v->valuedouble, b, sizeof(b));
		P(b);
	}
}

/* Money for people: "12,345.67" (nothing for null). */
static void
money(FILE *fp, const cJSON *v)
{
	char b[32], out[48];
	size_t n, o = 0;

	if (!cJSON_IsNumber(v))
		return;
	csv_format_money(v->valuedouble, b, sizeof(b));
	const char *digits = b[0] == '-' ? b + 1 : b;
	const char *dot = strchr(digits, '.');
	n = dot ? (size_t)(dot - digits) : strlen(digits);
	if (b[0] == '-')
		out[o++] = '-';
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	snprintf(out + o, sizeof(out) - o, "%s", dot ? dot : "");
	P(out);
}

/* Money with its currency: "12,345.67 EUR", or "cost unknown" for null. */
static void
money_cur(FILE *fp, const cJSON *v, const char *currency)
{
	if (!cJSON_IsNumber(v)) {
		P("cost unknown");
		return;
	}
	money(fp, v);
	if (*currency) {
		fputc(' ', fp);
		html_escape(fp, currency);
	}
}

/* A text with its `commands` set as <code>. */
static void
text_with_code(FILE *fp, const char *s)
{
	bool in = false;

	for (;;) {
		const char *q = strchr(s, '`');
		char *part = q ? xasprintf("%.*s", (int)(q - s), s) : NULL;
		html_escape(fp, part ? part : s);
		free(part);
		if (q == NULL)
			break;
		P(in ? "</code>" : "<code>");
		in = !in;
		s = q + 1;
	}
	if (in)
		P("</code>");
}

/* An id fragment from a tenant id or code: letters, digits, '-' and '_' kept, others '_'. */
static void
id_part(FILE *fp, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '-' || c == '_';
		fputc(ok ? (char)c : '_', fp);
	}
}

/* The script's hash for the Content-Security-Policy: base64 of its SHA-256. */
static void
script_hash(const char *js, char *out, size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];

	out[0] = 0;
	if (EVP_Digest(js, strlen(js), md, &len, EVP_sha256(), NULL) != 1)
		return;
	EVP_EncodeBlock(b64, md, (int)len);
	snprintf(out, n, "%s", (const char *)b64);
}

/*
 * A list of objects as {"columns":[keys], "rows":[[values], ...]}: the customers' field names once instead of in each of 10,000 rows (1.7 MB on the bench). sub, when not NULL,
 * is a key whose value (an object holding a list "subscriptions") is packed the same way, its
 * columns put at *sub_cols.
 */
static cJSON *
pack(cJSON *list, const char *sub, cJSON **sub_cols)
{
	cJSON *out = cJSON_CreateObject(), *cols = cJSON_AddArrayToObject(out, "columns");
	cJSON *rows = cJSON_AddArrayToObject(out, "rows"), *k;

	/* every key of any item, in the order first seen (a missing value is null) */
	const cJSON *it, *c;
	cJSON_ArrayForEach(it, list) {
		cJSON_ArrayForEach(k, it) {
			bool have = false;
			cJSON_ArrayForEach(c, cols)
				have = have || strcmp(c->valuestring, k->string) == 0;
			if (!have)
				cJSON_AddItemToArray(cols, cJSON_CreateString(k->string));
		}
	}
	while (list->child) {	/* detach the first: O(1) (cJSON_GetArraySize walks the list) */
		cJSON *o = cJSON_DetachItemViaPointer(list, list->child), *row = cJSON_CreateArray();
		cJSON_ArrayForEach(k, cols) {
			cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(o, k->valuestring);
			if (v == NULL)
				v = cJSON_CreateNull();
			if (sub && strcmp(k->valuestring, sub) == 0) {
				cJSON *subs = cJSON_DetachItemFromObjectCaseSensitive(v, "subscriptions");
				cJSON *p = pack(subs, NULL, NULL);
				cJSON_Delete(v);
				cJSON_Delete(subs);
				if (*sub_cols == NULL || cJSON_GetArraySize(*sub_cols) == 0) {
					cJSON_Delete(*sub_cols);
					*sub_cols = cJSON_DetachItemFromObjectCaseSensitive(p, "columns");
				}
				v = cJSON_DetachItemFromObjectCaseSensitive(p, "rows");
				cJSON_Delete(p);
			}
			cJSON_AddItemToArray(row, v);
		}
		cJSON_AddItemToArray(rows, row);
		cJSON_Delete(o);
	}
	return out;
}

/*
 * The model as JSON inside <script type="application/json">: '<', '>' and '&' escaped. The
 * customers and actions are packed first (docs/html-report.md): the model is spent.
 */
static void
data_block(FILE *fp, cJSON *model)
{
	cJSON *sub_cols = NULL;
	cJSON *cust = cJSON_DetachItemFromObjectCaseSensitive(model, "customers");
	cJSON *packed = pack(cust, "why", &sub_cols);

	cJSON_Delete(cust);
	cJSON_AddItemToObject(model, "customers", packed);
	cJSON *acts = cJSON_DetachItemFromObjectCaseSensitive(model, "actions");
	if (cJSON_GetArraySize(acts) > 0) {
		cJSON_AddItemToObject(model, "actions", pack(acts, NULL, NULL));
		cJSON_Delete(acts);
	} else {
		cJSON_AddItemToObject(model, "actions", acts);
	}
	cJSON_AddItemToObject(model, "subscription_columns",
			      sub_cols ? sub_cols : cJSON_CreateArray());
	char *json = cJSON_PrintUnformatted(model);

	P("<script type=\"application/json\" id=\"palscope-data\">");
	for (const char *p = json; p && *p;) {
		size_t n = strcspn(p, "<>&");
		fwrite(p, 1, n, fp);
		p += n;
		if (*p == 0)
			break;
		P(*p == '<' ? "\\u003c" : *p == '>' ? "\\u003e" : "\\u0026");
		p++;
	}
	P("</script>\n");
	cJSON_free(json);
}

static void
head(FILE *fp, const cJSON *m, const char *js)
{
	char hash[128];

	script_hash(js, hash, sizeof(hash));
	P("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
	fprintf(fp,
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"script-src 'sha256-%s'; style-src 'unsafe-inline'; img-src data:; "
		"connect-src 'none'; form-action 'none'; base-uri 'none'\">\n",
		hash);
	P("<meta name=\"generator\" content=\"palscope ");
	html_escape(fp, str(m, "palscope_version"));
	P("\">\n<title>Partner Admin Link attribution ");
	html_escape(fp, str(m, "period"));
	P(" - palscope</title>\n<style>\n");
	P(embedded("report.css"));
	P("</style>\n</head>\n");
}

static void
header(FILE *fp, const cJSON *m)
{
	const cJSON *r, *w = get(m, "warnings");

	P("<body>\n<header>\n<h1>Partner Admin Link attribution, ");
	html_escape(fp, str(m, "period"));
	P("</h1>\n<p class=\"meta\">Generated ");
	html_escape(fp, str(m, "generated_at"));
	P(" by palscope ");
	html_escape(fp, str(m, "palscope_version"));
	if (has_num(m, "as_of_run")) {
		P(", as the reports stood right after run ");
		plain(fp, get(m, "as_of_run"));
	}
	P(". Runs combined (the newest complete run of each identity):</p>\n<ul class=\"runs\">\n");
	cJSON_ArrayForEach(r, get(m, "runs")) {
		P("<li data-run-id=\"");
		plain(fp, get(r, "run_id"));
		P("\">run ");
		plain(fp, get(r, "run_id"));
		P(": ");
		html_escape(fp, *str(r, "detail") ? str(r, "detail") : str(r, "status"));
		if (*str(r, "ended_at")) {
			P(", ended ");
			html_escape(fp, str(r, "ended_at"));
		}
		P("</li>\n");
	}
	P("</ul>\n");
	if (cJSON_GetArraySize(w) > 0) {
		P("<div id=\"warnings\" role=\"note\"><h2>Warnings</h2><ul>\n");
		cJSON_ArrayForEach(r, w) {
			P("<li>");
			html_escape(fp, cJSON_GetStringValue(r));
			P("</li>\n");
		}
		P("</ul></div>\n");
	}
	P("<nav aria-label=\"Sections\"><ul><li><a href=\"#headline\">Headline</a></li>"
	  "<li><a href=\"#funnel\">Funnel</a></li><li><a href=\"#reasons\">Reasons</a></li>"
	  "<li><a href=\"#actions\">Actions</a></li>");
	if (get(m, "trend_shown"))
		P("<li><a href=\"#trend\">Trend</a></li>");
	if (get(m, "changes"))
		P("<li><a href=\"#changes\">Changes</a></li>");
	P("<li><a href=\"#customers\">Customers</a></li></ul></nav>\n</header>\n<main>\n");
}

static void
figure(FILE *fp, const cJSON *h, const char *key, const char *label)
{
	P("<div class=\"figure\"><dt>");
	P(label);
	fprintf(fp, "</dt><dd data-figure=\"%s\">", key);
	plain(fp, get(h, key));
	P("</dd></div>\n");
}

static void
headline(FILE *fp, const cJSON *m)
{
	const cJSON *h = get(m, "headline"), *c;

	P("<section id=\"headline\" aria-labelledby=\"headline-h\">\n"
	  "<h2 id=\"headline-h\">Headline</h2>\n<dl class=\"figures\">\n");
	figure(fp, h, "customers", "Customer tenants");
	figure(fp, h, "customers_counted", "Counted (attributed)");
	figure(fp, h, "customers_missing", "Missing");
	figure(fp, h, "customers_unknown", "Unknown (a read failed)");
	P("</dl>\n<table class=\"money\">\n<caption>Usage per currency in ");
	html_escape(fp, str(m, "period"));
	P(" (no exchange rates: each currency on its own)</caption>\n"
	  "<thead><tr><th scope=\"col\">Currency</th><th scope=\"col\">Attributed usage</th>"
	  "<th scope=\"col\">Usage at stake</th><th scope=\"col\">Usage</th></tr></thead>\n<tbody>\n");
	cJSON_ArrayForEach(c, get(h, "money")) {
		static const char *const keys[] = { "attributed_usage", "usage_at_stake", "usage" };
		P("<tr><th scope=\"row\">");
		html_escape(fp, str(c, "currency"));
		P("</th>");
		for (size_t i = 0; i < 3; i++) {
			fprintf(fp, "<td class=\"num\" data-figure=\"%s\" data-currency=\"", keys[i]);
			html_escape(fp, str(c, "currency"));
			P("\" data-value=\"");
			plain(fp, get(c, keys[i]));
			P("\">");
			money(fp, get(c, keys[i]));
			P("</td>");
		}
		P("</tr>\n");
	}
	P("</tbody>\n</table>\n<p class=\"note\">Usage at stake: the usage of the subscriptions that "
	  "are not attributed, what fixing them adds at most.</p>\n</section>\n");
}

/* The funnel: one bar per step by customers; the usage per step and currency in a table. */
static void
funnel(FILE *fp, const cJSON *m)
{
	const cJSON *rows = get(m, "funnel"), *r;
	const char *steps[8] = { 0 }, *labels[8] = { 0 };
	double counts[8] = { 0 };
	int n = 0;

	cJSON_ArrayForEach(r, rows) {
		int k;
		for (k = 0; k < n; k++)
			if (strcmp(steps[k], str(r, "step")) == 0)
				break;
		if (k == n && n < 8) {
			steps[n] = str(r, "step");
			labels[n] = str(r, "label");
			n++;
		}
		if (k < 8)
			counts[k] += num(r, "customers");
	}
	double max = n > 0 && counts[0] > 0 ? counts[0] : 1;
	const int bar_h = 26, gap = 8, label_w = 200, width = 720;

	P("<section id=\"funnel\" aria-labelledby=\"funnel-h\">\n<h2 id=\"funnel-h\">Funnel</h2>\n"
	  "<p>Customers that passed each check, in the order palscope evaluates them.</p>\n");
	fprintf(fp, "<svg role=\"img\" aria-labelledby=\"funnel-t\" viewBox=\"0 0 %d %d\" "
		"width=\"100%%\" preserveAspectRatio=\"xMinYMin meet\">\n<title id=\"funnel-t\">"
		"Funnel: customers per step</title>\n",
		width, n * (bar_h + gap) + gap);
	for (int k = 0; k < n; k++) {
		int y = gap + k * (bar_h + gap);
		double w = (width - label_w - 90) * counts[k] / max;
		P("<g data-step=\"");
		html_escape(fp, steps[k]);
		fprintf(fp, "\" data-customers=\"%.0f\">", counts[k]);
		fprintf(fp, "<text x=\"0\" y=\"%d\" class=\"label\">", y + bar_h * 2 / 3);
		html_escape(fp, labels[k]);
		fprintf(fp, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" class=\"bar "
			"step%d\"></rect><text x=\"%.1f\" y=\"%d\" class=\"value\">%.0f</text></g>\n",
			label_w, y, w, bar_h, k, label_w + w + 6, y + bar_h * 2 / 3, counts[k]);
	}
	P("</svg>\n");

	/* usage per step (rows) and currency (columns); the rows come sorted by step, currency */
	const char *curs[64];
	int ncur = 0;
	cJSON_ArrayForEach(r, rows) {
		int k;
		for (k = 0; k < ncur; k++)
			if (strcmp(curs[k], str(r, "currency")) == 0)
				break;
		if (k == ncur && ncur < 64)
			curs[ncur++] = str(r, "currency");
	}
	P("<table class=\"funnel-usage\">\n<caption>Customers and their usage per step and currency "
	  "(attributed usage for the last step)</caption>\n<thead><tr><th scope=\"col\">Step</th>");
	for (int c = 0; c < ncur; c++) {
		P("<th scope=\"col\">");
		html_escape(fp, *curs[c] ? curs[c] : "no cost");
		P("</th>");
	}
	P("</tr></thead>\n<tbody>\n");
	for (int k = 0; k < n; k++) {
		P("<tr data-step=\"");
		html_escape(fp, steps[k]);
		P("\"><th scope=\"row\">");
		html_escape(fp, labels[k]);
		P("</th>");
		for (int c = 0; c < ncur; c++) {
			cJSON_ArrayForEach(r, rows) {
				if (strcmp(str(r, "step"), steps[k]) != 0 ||
				    strcmp(str(r, "currency"), curs[c]) != 0)
					continue;
				P("<td class=\"num\" data-currency=\"");
				html_escape(fp, curs[c]);
				P("\" data-customers=\"");
				plain(fp, get(r, "customers"));
				P("\" data-usage=\"");
				plain(fp, get(r, "usage"));
				P("\">");
				plain(fp, get(r, "customers"));
				if (*curs[c]) {
					P(" &middot; ");
					money(fp, get(r, "usage"));
				}
				P("</td>");
			}
		}
		P("</tr>\n");
	}
	P("</tbody>\n</table>\n</section>\n");
}

/* The codes of the reasons chart in order, then any other customer code. */
static int
reason_codes(const cJSON *m, const char **codes, int max)
{
	const cJSON *r;
	int n = 0;
	const char *lists[] = { "reasons", "customers" };

	for (size_t l = 0; l < 2; l++) {
		cJSON_ArrayForEach(r, get(m, lists[l])) {
			const char *c = str(r, "reason_code");
			int k;
			if (!*c)
				continue;
			for (k = 0; k < n; k++)
				if (strcmp(codes[k], c) == 0)
					break;
			if (k == n && n < max)
				codes[n++] = c;
		}
	}
	return n;
}

static void
reasons(FILE *fp, const cJSON *m)
{
	const cJSON *rows = get(m, "reasons"), *r, *c;
	const int bar_h = 22, gap = 6, label_w = 230, width = 720;
	int n = cJSON_GetArraySize(rows), i = 0;
	const char *codes[64];
	int ncodes = reason_codes(m, codes, 64);

	P("<section id=\"reasons\" aria-labelledby=\"reasons-h\">\n<h2 id=\"reasons-h\">Reasons by "
	  "usage at stake</h2>\n<p>Each blocking reason with the usage of the subscriptions it stops, "
	  "per currency, worth the most first. A bar links to the customers it holds.</p>\n");
	fprintf(fp, "<svg role=\"img\" aria-labelledby=\"reasons-t\" viewBox=\"0 0 %d %d\" "
		"width=\"100%%\" preserveAspectRatio=\"xMinYMin meet\">\n<title id=\"reasons-t\">"
		"Usage at stake per reason code</title>\n",
		width, n * (bar_h + gap) + gap);
	cJSON_ArrayForEach(r, rows) {
		double max = 0;
		cJSON_ArrayForEach(c, rows)
			if (strcmp(str(c, "currency"), str(r, "currency")) == 0 &&
			    num(c, "usage_at_stake") > max)
				max = num(c, "usage_at_stake");
		double w = max > 0 ? (width - label_w - 200) * num(r, "usage_at_stake") / max : 0;
		int y = gap + i++ * (bar_h + gap);
		P("<a href=\"#reason-");
		id_part(fp, str(r, "reason_code"));
		P("\" data-reason=\"");
		html_escape(fp, str(r, "reason_code"));
		P("\" data-usage=\"");
		plain(fp, get(r, "usage_at_stake"));
		P("\" data-currency=\"");
		html_escape(fp, str(r, "currency"));
		P("\"><title>");
		html_escape(fp, str(r, "detail"));
		fprintf(fp, "</title><text x=\"0\" y=\"%d\" class=\"label\">", y + bar_h * 2 / 3);
		html_escape(fp, str(r, "reason_code"));
		fprintf(fp, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
			"class=\"bar reason\"></rect><text x=\"%.1f\" y=\"%d\" class=\"value\">",
			label_w, y, w, bar_h, label_w + w + 6, y + bar_h * 2 / 3);
		money_cur(fp, get(r, "usage_at_stake"), str(r, "currency"));
		fprintf(fp, ", %.0f cust.</text></a>\n", num(r, "customers"));
	}
	P("</svg>\n");

	/* per code, the customers whose reason it is (the anchors of the bars) */
	for (int k = 0; k < ncodes; k++) {
		P("<h3 id=\"reason-");
		id_part(fp, codes[k]);
		P("\">");
		html_escape(fp, codes[k]);
		P("</h3>\n");
		cJSON_ArrayForEach(r, rows)
			if (strcmp(str(r, "reason_code"), codes[k]) == 0) {
				P("<p class=\"detail\">");
				html_escape(fp, str(r, "detail"));
				P("</p>\n");
			}
		P("<ul class=\"reason-customers\">\n");
		cJSON_ArrayForEach(r, get(m, "customers")) {
			if (strcmp(str(r, "reason_code"), codes[k]) != 0)
				continue;
			P("<li><a href=\"#c-");
			id_part(fp, str(r, "tenant_id"));
			P("\">");
			html_escape(fp, str(r, "customer_name"));
			P("</a> ");
			if (has_num(r, "missing_usage")) {
				money_cur(fp, get(r, "missing_usage"), str(r, "currency"));
				P(" missing");
			}
			P("</li>\n");
		}
		P("</ul>\n");
	}
	P("</section>\n");
}

/*
 * A command that fixes every identity of the report at once (palscope link apply
 * --only-missing-from): shown once above its group's list, not on each of its lines (on the
 * 10,000-customer bench it would be 2,000 copies).
 */
static bool
all_at_once(const char *cmd)
{
	return strncmp(cmd, "palscope link apply ", strlen("palscope link apply ")) == 0;
}

/*
 * An action's fix: its commands when its text has some (the whole text is the explanation in
 * the customer's row, one click away), else the text.
 */
static void
action_fix(FILE *fp, const cJSON *a)
{
	const cJSON *c, *cmds = get(a, "commands");
	int i = 0;

	if (get(a, "text")) {
		text_with_code(fp, str(a, "text"));
		return;
	}
	cJSON_ArrayForEach(c, cmds) {
		if (all_at_once(cJSON_GetStringValue(c)))
			continue;	/* said once above the list */
		P(i++ ? ", or " : "run ");
		P("<code>");
		html_escape(fp, cJSON_GetStringValue(c));
		P("</code>");
	}
	if (i == 0)
		P("the command above");
	if (*str(a, "identity_name")) {
		P(" signed in as &#39;");
		html_escape(fp, str(a, "identity_name"));
		P("&#39;");
	}
}

static void
actions(FILE *fp, const cJSON *m)
{
	static const struct {
		const char *actor, *title;
	} groups[] = {
		{ "partner", "Your engineers" },
		{ "customer", "The customer" },
		{ "none", "Nothing to do now (counts later, or cannot count)" },
	};
	const cJSON *r;

	P("<section id=\"actions\" aria-labelledby=\"actions-h\">\n<h2 id=\"actions-h\">What to do"
	  "</h2>\n<p>One line per fix, the most usage at stake first, by who must act.</p>\n");
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		int n = 0;
		cJSON_ArrayForEach(r, get(m, "actions"))
			n += strcmp(str(r, "actor"), groups[g].actor) == 0;
		if (n == 0)
			continue;
		fprintf(fp, "<h3>%s (%d)</h3>\n", groups[g].title, n);
		/* the all-at-once commands of the group's fixes, each once */
		const char *once[16];
		int nonce = 0;
		cJSON_ArrayForEach(r, get(m, "actions")) {
			const cJSON *c;
			if (strcmp(str(r, "actor"), groups[g].actor) != 0)
				continue;
			cJSON_ArrayForEach(c, get(r, "commands")) {
				const char *cmd = cJSON_GetStringValue(c);
				int k;
				if (!all_at_once(cmd))
					continue;
				for (k = 0; k < nonce; k++)
					if (strcmp(once[k], cmd) == 0)
						break;
				if (k == nonce && nonce < 16)
					once[nonce++] = cmd;
			}
		}
		if (nonce > 0) {
			P("<p class=\"all-at-once\">For every identity of this report at once, instead of "
			  "the commands below: ");
			for (int k = 0; k < nonce; k++) {
				P(k ? "; " : "");
				P("<code>");
				html_escape(fp, once[k]);
				P("</code>");
			}
			P(" (the linking fixes).</p>\n");
		}
		fprintf(fp, "<ol class=\"actions\" data-actor=\"%s\">\n", groups[g].actor);
		cJSON_ArrayForEach(r, get(m, "actions")) {
			if (strcmp(str(r, "actor"), groups[g].actor) != 0)
				continue;
			P("<li data-actor=\"");
			html_escape(fp, str(r, "actor"));
			P("\" data-reason=\"");
			html_escape(fp, str(r, "reason_code"));
			P("\" data-usage=\"");
			plain(fp, get(r, "usage_at_stake"));
			P("\"><strong>");
			html_escape(fp, str(r, "reason_code"));
			P("</strong> in <a href=\"#c-");
			id_part(fp, str(r, "tenant_id"));
			P("\">");
			html_escape(fp, str(r, "customer_name"));
			P("</a>");
			if (*str(r, "identity_name") && get(r, "text")) {
				P(", identity &#39;");
				html_escape(fp, str(r, "identity_name"));
				P("&#39;");
			}
			if (num(r, "subscriptions") > 0) {
				P(", ");
				plain(fp, get(r, "subscriptions"));
				P(" subscription(s), ");
				money_cur(fp, get(r, "usage_at_stake"), str(r, "currency"));
			}
			P(": ");
			action_fix(fp, r);
			P("</li>\n");
		}
		P("</ol>\n");
	}
	if (cJSON_GetArraySize(get(m, "actions")) == 0)
		P("<p>Nothing: every customer is attributed.</p>\n");
	P("</section>\n");
}

/* A table of objects: one column per key of the first row, in order. */
static void
object_table(FILE *fp, const cJSON *rows, const char *caption)
{
	const cJSON *first = cJSON_GetArrayItem(rows, 0), *k, *r;

	/* a wide table scrolls inside its own region instead of widening the page */
	P("<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-label=\"");
	html_escape(fp, caption);
	P("\">\n<table class=\"data\">\n<caption>");
	html_escape(fp, caption);
	P("</caption>\n<thead><tr>");
	cJSON_ArrayForEach(k, first) {
		P("<th scope=\"col\">");
		html_escape(fp, k->string);
		P("</th>");
	}
	P("</tr></thead>\n<tbody>\n");
	cJSON_ArrayForEach(r, rows) {
		P("<tr>");
		cJSON_ArrayForEach(k, first) {
			const cJSON *v = get(r, k->string);
			if (cJSON_IsNumber(v)) {
				P("<td class=\"num\">");
				plain(fp, v);
			} else {
				P("<td>");
				html_escape(fp, cJSON_GetStringValue(v));
			}
			P("</td>");
		}
		P("</tr>\n");
	}
	P("</tbody>\n</table>\n</div>\n");
}

static void
trend(FILE *fp, const cJSON *m)
{
	const cJSON *rows = get(m, "trend"), *r;
	const int bar_w = 36, gap = 12, height = 160;
	int n = 0;
	double max = 1;
	const char *periods[120];
	double counted[120];

	cJSON_ArrayForEach(r, rows) {
		if (n > 0 && strcmp(periods[n - 1], str(r, "period")) == 0) {
			counted[n - 1] += num(r, "attributed_customers");
		} else if (n < 120) {
			periods[n] = str(r, "period");
			counted[n++] = num(r, "attributed_customers");
		}
	}
	for (int i = 0; i < n; i++)
		if (counted[i] > max)
			max = counted[i];
	P("<section id=\"trend\" aria-labelledby=\"trend-h\">\n<h2 id=\"trend-h\">Trend</h2>\n");
	fprintf(fp, "<svg role=\"img\" aria-labelledby=\"trend-t\" viewBox=\"0 0 %d %d\" "
		"width=\"100%%\" preserveAspectRatio=\"xMinYMin meet\">\n<title id=\"trend-t\">"
		"Customers counted per period</title>\n",
		n * (bar_w + gap) + gap, height + 40);
	for (int i = 0; i < n; i++) {
		double h = height * counted[i] / max;
		int x = gap + i * (bar_w + gap);
		P("<g data-period=\"");
		html_escape(fp, periods[i]);
		fprintf(fp, "\" data-customers-counted=\"%.0f\"><rect x=\"%d\" y=\"%.1f\" "
			"width=\"%d\" height=\"%.1f\" class=\"bar\"></rect><text x=\"%d\" y=\"%.1f\" "
			"class=\"value\">%.0f</text><text x=\"%d\" y=\"%d\" class=\"label\">",
			counted[i], x, height - h + 16, bar_w, h, x, height - h + 12, counted[i], x,
			height + 32);
		html_escape(fp, periods[i]);
		P("</text></g>\n");
	}
	P("</svg>\n");
	object_table(fp, rows, "Per period and currency (report trend)");
	P("</section>\n");
}

static void
changes(FILE *fp, const cJSON *m)
{
	const cJSON *c = get(m, "changes"), *rows = get(c, "customers");

	P("<section id=\"changes\" aria-labelledby=\"changes-h\">\n<h2 id=\"changes-h\">Changes since "
	  "run ");
	plain(fp, get(c, "from_run"));
	P(" (");
	html_escape(fp, str(c, "from_period"));
	P(")</h2>\n");
	if (cJSON_GetArraySize(rows) == 0) {
		P("<p>No customer changed between run ");
		plain(fp, get(c, "from_run"));
		P(" and run ");
		plain(fp, get(c, "to_run"));
		P(".</p>\n");
	} else {
		object_table(fp, rows, "Customers whose status, reason or attributed usage changed, "
			     "with the causes (palscope diff)");
	}
	P("</section>\n");
}

/*
 * The row's story: the customer's explanation (its deciding subscription and fix); the script
 * adds the list of its subscriptions that are not attributed from the model when opened.
 */
static void
why_story(FILE *fp, const cJSON *row)
{
	P("<details class=\"why\"><summary>why</summary><p>");
	text_with_code(fp, str(row, "explanation"));
	P("</p></details>");
}

static const struct {
	const char *key, *label;
	bool numeric;
} cust_cols[] = {
	{ "customer_name", "Customer", false },
	{ "tenant_id", "Tenant ID", false },
	{ "status", "Status", false },
	{ "reason_code", "Reason", false },
	{ "subscriptions", "Subscriptions", true },
	{ "attributed_subscriptions", "Attributed", true },
	{ "attributed_usage", "Attributed usage", true },
	{ "usage", "Usage", true },
	{ "missing_usage", "Missing usage", true },
	{ "currency", "Currency", false },
};

static void
customers(FILE *fp, const cJSON *m)
{
	const cJSON *rows = get(m, "customers"), *r;
	const char *codes[64];
	int ncodes = reason_codes(m, codes, 64), total = cJSON_GetArraySize(rows);
	const size_t ncols = sizeof(cust_cols) / sizeof(cust_cols[0]);

	P("<section id=\"customers-section\" aria-labelledby=\"customers-h\">\n"
	  "<h2 id=\"customers-h\">Customers</h2>\n"
	  "<div id=\"filters\" class=\"filters\" hidden>\n"
	  "<label for=\"filter-text\">Name or tenant ID</label> <input id=\"filter-text\" "
	  "type=\"search\" aria-label=\"Filter by customer name or tenant ID\">\n"
	  "<label for=\"filter-status\">Status</label> <select id=\"filter-status\" "
	  "aria-label=\"Filter by status\"><option value=\"\">all</option>"
	  "<option>ATTRIBUTED</option><option>MISSING</option><option>UNKNOWN</option></select>\n"
	  "<label for=\"filter-reason\">Reason</label> <select id=\"filter-reason\" "
	  "aria-label=\"Filter by reason code\"><option value=\"\">all</option>");
	for (int k = 0; k < ncodes; k++) {
		P("<option>");
		html_escape(fp, codes[k]);
		P("</option>");
	}
	fprintf(fp, "</select>\n<output id=\"filter-count\" aria-live=\"polite\">%d of %d "
		"customers</output>\n</div>\n", total, total);
	P("<p class=\"note\">Every check of every subscription of a customer: "
	  "<code>palscope why TENANT_ID</code>.</p>\n"
	  "<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Customers\">\n"
	  "<table id=\"customers\">\n<caption>One row per customer tenant (report customers); "
	  "expand <em>why</em> for its story</caption>\n<thead><tr>");
	for (size_t i = 0; i < ncols; i++) {
		fprintf(fp, "<th scope=\"col\" data-key=\"%s\"%s aria-sort=\"%s\"><button "
			"type=\"button\">%s</button></th>",
			cust_cols[i].key, cust_cols[i].numeric ? " data-numeric=\"1\"" : "",
			strcmp(cust_cols[i].key, "tenant_id") == 0 ? "ascending" : "none",
			cust_cols[i].label);
	}
	P("<th scope=\"col\">Why</th></tr></thead>\n<tbody>\n");
	cJSON_ArrayForEach(r, rows) {
		P("<tr class=\"customer\" id=\"c-");
		id_part(fp, str(r, "tenant_id"));
		P("\" data-status=\"");
		html_escape(fp, str(r, "status"));
		P("\" data-reason=\"");
		html_escape(fp, str(r, "reason_code"));
		P("\" data-usage=\"");
		plain(fp, get(r, "usage"));
		P("\">");
		for (size_t i = 0; i < ncols; i++) {
			const cJSON *v = get(r, cust_cols[i].key);
			if (cust_cols[i].numeric) {
				/* right-aligned by the style sheet (nth-child); the script sorts
				 * by the text with the commas left out */
				P("<td>");
				if (strstr(cust_cols[i].key, "usage"))
					money(fp, v);
				else
					plain(fp, v);
			} else if (i == 0) {
				/* the row header (scope auto): no scope="row", 120 KB at 10k */
				P("<th>");
				html_escape(fp, cJSON_GetStringValue(v));
				P("</th>");
				continue;
			} else {
				P("<td>");
				html_escape(fp, cJSON_GetStringValue(v));
			}
			P("</td>");
		}
		P("<td>");
		why_story(fp, r);
		P("</td></tr>\n");
	}
	P("</tbody>\n</table>\n</div>\n</section>\n");
}

int
html_render(FILE *fp, cJSON *model, struct err *err)
{
	const char *js = embedded("report.js");
	const cJSON *r;
	int periods = 0;
	const char *last = "";

	/* the trend only when the database has more than one period */
	cJSON_ArrayForEach(r, get(model, "trend")) {
		if (strcmp(str(r, "period"), last) != 0)
			periods++;
		last = str(r, "period");
	}
	if (periods > 1 && !get(model, "trend_shown"))
		cJSON_AddTrueToObject(model, "trend_shown");

	head(fp, model, js);
	header(fp, model);
	headline(fp, model);
	funnel(fp, model);
	reasons(fp, model);
	actions(fp, model);
	if (periods > 1)
		trend(fp, model);
	if (get(model, "changes"))
		changes(fp, model);
	customers(fp, model);
	P("</main>\n");
	data_block(fp, model);
	P("<script>");
	P(js);
	P("</script>\n</body>\n</html>\n");
	if (ferror(fp) || fflush(fp) != 0) {
		if (errno == 0)
			errno = EIO;
		return err_set(err, RC_IO, "cannot write the HTML report: %s", strerror(errno));
	}
	return 0;
}

struct write_ctx {
	struct db *db;
	const char *period;
	int64_t run_id;
	size_t *customers;
};

static int
write_html(FILE *fp, void *arg, struct err *err)
{
	struct write_ctx *c = arg;
	cJSON *model = NULL;
	int rc;

	if ((rc = html_model_build(c->db, c->period, c->run_id, &model, err)) < 0)
		return rc;
	errno = 0;
	if (c->customers)
		*c->customers = (size_t)cJSON_GetArraySize(get(model, "customers"));
	clock_t t0 = clock();
	rc = html_render(fp, model, err);
	log_debug("report html: page written in %ld ms CPU",
		  (long)((clock() - t0) / (CLOCKS_PER_SEC / 1000)));
	cJSON_Delete(model);
	return rc;
}

int
html_report_write_path(struct db *db, const char *period, int64_t run_id, const char *path,
		       size_t *customers, struct err *err)
{
	struct write_ctx c = { db, period, run_id, customers };

	return report_output_path(path, write_html, &c, err);
}
