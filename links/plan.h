/*
 * Partner link plans: what `palscope link plan|apply|remove` does for one
 * identity, given the link it has now. Pure: no I/O, unit-tested.
 *
 * apply (and plan): not linked -> create (PUT); linked to the wanted ID ->
 * nothing; linked to another ID -> update (PATCH) only when allowed, else
 * skipped (that may be another location of the same organisation, or another
 * partner's link that is not ours to overwrite).
 * remove: linked to the given ID -> delete (DELETE); anything else -> nothing.
 */
#ifndef PALSCOPE_LINKS_PLAN_H
#define PALSCOPE_LINKS_PLAN_H

#include <stdbool.h>
#include <stddef.h>

enum link_cur_kind {
	LINK_CUR_UNKNOWN,	/* could not be read (sign-in or read failed) */
	LINK_CUR_NONE,		/* not linked (404, or a link in state Deleted) */
	LINK_CUR_LINKED,	/* linked to partner_id */
};

struct link_current {
	enum link_cur_kind kind;
	const char *partner_id;	/* LINK_CUR_LINKED only */
};

struct link_want {
	bool remove;		/* remove instead of apply */
	const char *partner_id;	/* the ID to link (apply) or to remove */
	bool allow_update;	/* --update: replace a link to another ID */
	bool selected;		/* false: left out by --only-missing-from */
};

enum link_verdict {
	LINK_V_NOTHING,		/* already as wanted */
	LINK_V_CREATE,		/* PUT */
	LINK_V_UPDATE,		/* PATCH */
	LINK_V_REMOVE,		/* DELETE */
	LINK_V_SKIP_OTHER,	/* apply: linked to another ID and no --update */
	LINK_V_KEEP_OTHER,	/* remove: linked to another ID, which is not ours to remove */
	LINK_V_NOT_SELECTED,	/* --only-missing-from left it out */
	LINK_V_UNKNOWN,		/* the current link is unknown: nothing can be decided */
};

struct link_decision {
	enum link_verdict verdict;
	const char *method;	/* "PUT", "PATCH", "DELETE", or NULL when nothing is sent */
	const char *operation;	/* "create", "update", "remove", or NULL */
	char reason[256];	/* one line in plain words */
};

/* A link's state as the API reports it: "Deleted" counts as not linked. */
enum link_cur_kind link_state_kind(bool linked, const char *state);

void link_plan_decide(const struct link_want *w, const struct link_current *c,
		      struct link_decision *out);

/* Short name of a verdict for tables and CSV: "create", "nothing", "skip", ... */
const char *link_verdict_name(enum link_verdict v);

/* True for the verdicts that send a change. */
bool link_verdict_writes(enum link_verdict v);

#endif
