/*
 * palscope report html: one self-contained HTML file for a period. html_model_build reads the
 * same SQL the CSV reports use (customers, subscriptions, summary, trend, diff, runs) into one
 * JSON model (cJSON); html_render writes the page from that model alone: headline, funnel and
 * reasons as inline SVG, the action list, trend and changes, the customer table with each
 * customer's story, and the model itself once as <script type="application/json">. Every text
 * is escaped; nothing in the page is fetched (Content-Security-Policy). The DOM hooks are the
 * contract in /work/coord/tasks/html-contract.txt, kept in docs/html-report.md.
 */
#ifndef PALSCOPE_REPORTS_HTML_H
#define PALSCOPE_REPORTS_HTML_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "common/err.h"

struct db;

/*
 * The model of period (as of run_id when run_id > 0: the caller has called db_as_of_run).
 * Leaves TEMP tables and views on the connection. *out is the caller's (cJSON_Delete).
 */
int html_model_build(struct db *db, const char *period, int64_t run_id, cJSON **out,
		     struct err *err);

/*
 * Write the page of model to fp. 0, or RC_IO with err set (errno kept) when a write failed.
 * The model is spent: its customers are packed into columns and rows for the embedded JSON.
 */
int html_render(FILE *fp, cJSON *model, struct err *err);

/* The model's fields: a string ("" when absent or not a string), a number (0 when not one). */
const char *html_json_str(const cJSON *o, const char *key);
double html_json_num(const cJSON *o, const char *key);

/* Append s HTML-escaped (& < > " ') to fp. */
void html_escape(FILE *fp, const char *s);

/*
 * Build and render to path (NULL or "-": stdout; a regular file is written to "<path>.tmp" and
 * renamed when complete, as report_write_path does). *customers (may be NULL) gets the number
 * of customer rows.
 */
int html_report_write_path(struct db *db, const char *period, int64_t run_id, const char *path,
			   size_t *customers, struct err *err);

#endif
