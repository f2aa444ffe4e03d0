#include "links/plan.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>

enum link_cur_kind
link_state_kind(bool linked, const char *state)
{
	if (!linked)
		return LINK_CUR_NONE;
	if (state && str_ieq(state, "Deleted"))
		return LINK_CUR_NONE;
	return LINK_CUR_LINKED;
}

static void
set(struct link_decision *d, enum link_verdict v, const char *method, const char *op)
{
	d->verdict = v;
	d->method = method;
	d->operation = op;
}

void
link_plan_decide(const struct link_want *w, const struct link_current *c,
		 struct link_decision *out)
{
	const char *want = w->partner_id;
	const char *have = c->partner_id ? c->partner_id : "";

	memset(out, 0, sizeof(*out));
	if (!w->selected) {
		set(out, LINK_V_NOT_SELECTED, NULL, NULL);
		snprintf(out->reason, sizeof(out->reason),
			 "left out: the report does not list this tenant as NO_LINK or "
			 "LINK_WRONG_PARTNER_ID");
		return;
	}
	if (c->kind == LINK_CUR_UNKNOWN) {
		set(out, LINK_V_UNKNOWN, NULL, NULL);
		snprintf(out->reason, sizeof(out->reason),
			 "the current link could not be read, so nothing is changed");
		return;
	}
	if (w->remove) {
		if (c->kind == LINK_CUR_NONE) {
			set(out, LINK_V_NOTHING, NULL, NULL);
			snprintf(out->reason, sizeof(out->reason), "not linked: nothing to remove");
		} else if (strcmp(have, want) == 0) {
			set(out, LINK_V_REMOVE, "DELETE", "remove");
			snprintf(out->reason, sizeof(out->reason), "linked to %s: remove the link",
				 want);
		} else {
			set(out, LINK_V_KEEP_OTHER, NULL, NULL);
			snprintf(out->reason, sizeof(out->reason),
				 "linked to %.20s, not %.20s: only links to the given ID are removed",
				 have, want);
		}
		return;
	}
	if (c->kind == LINK_CUR_NONE) {
		set(out, LINK_V_CREATE, "PUT", "create");
		snprintf(out->reason, sizeof(out->reason), "not linked: link to %.20s", want);
	} else if (strcmp(have, want) == 0) {
		set(out, LINK_V_NOTHING, NULL, NULL);
		snprintf(out->reason, sizeof(out->reason), "already linked to %.20s", want);
	} else if (w->allow_update) {
		set(out, LINK_V_UPDATE, "PATCH", "update");
		snprintf(out->reason, sizeof(out->reason), "linked to %.20s: change it to %.20s",
			 have, want);
	} else {
		set(out, LINK_V_SKIP_OTHER, NULL, NULL);
		snprintf(out->reason, sizeof(out->reason),
			 "linked to another partner ID, %.20s: skipped (it may be another location "
			 "of your organisation, or another partner's link); use --update to "
			 "replace it",
			 have);
	}
}

const char *
link_verdict_name(enum link_verdict v)
{
	switch (v) {
	case LINK_V_NOTHING:
		return "nothing";
	case LINK_V_CREATE:
		return "create";
	case LINK_V_UPDATE:
		return "update";
	case LINK_V_REMOVE:
		return "remove";
	case LINK_V_SKIP_OTHER:
		return "skip";
	case LINK_V_KEEP_OTHER:
		return "keep";
	case LINK_V_NOT_SELECTED:
		return "not-selected";
	case LINK_V_UNKNOWN:
		return "unknown";
	}
	return "?";
}

bool
link_verdict_writes(enum link_verdict v)
{
	return v == LINK_V_CREATE || v == LINK_V_UPDATE || v == LINK_V_REMOVE;
}
