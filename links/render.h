/*
 * What palscope link prints: the table of link show, the plan / result table of plan, apply
 * and remove, the summary line under them, and the audit history, in any output format
 * (reports/output.h). csv, json and tsv carry the fields of the CSV header (the same names in
 * every format); table is for reading: a few columns, aligned by display width.
 */
#ifndef PALSCOPE_LINKS_RENDER_H
#define PALSCOPE_LINKS_RENDER_H

#include <stdint.h>
#include <stdio.h>

#include "links/audit.h"
#include "links/exec.h"
#include "reports/output.h"

/* link show: one row per identity. 0, or the errno of a failed write. */
int link_print_show(FILE *fp, const struct link_result *res, size_t n, enum out_format fmt);

/* link plan, apply, remove (cmd): one row per identity, the action and its result; as above. */
int link_print_plan(FILE *fp, const struct link_result *res, size_t n, enum link_cmd cmd,
		    enum out_format fmt);

/*
 * The lines under the table: counts, requests, the audit batch (batch > 0, in database
 * dbpath) and what to run next.
 */
void link_print_summary(FILE *fp, enum link_cmd cmd, const char *partner_id,
			const struct link_run_stats *st, int64_t batch, const char *dbpath);

/* link history: link_history_begin, then link_history_row as link_audit_history's callback. */
struct link_history_out {
	struct out o;
	enum out_format fmt;
	long rows;
};
void link_history_begin(struct link_history_out *h, FILE *fp, enum out_format fmt);
int link_history_row(const struct link_history_row *r, void *payload);
/* The end (table: a line when there was no change). 0, or -1 (a write failed, h->o.errnum). */
int link_history_end(struct link_history_out *h);

#endif
