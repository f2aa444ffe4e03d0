/*
 * After the last file: the identity the files make up (object id, period), the consistency
 * checks across files, the notes on what is missing, and the records of the run (import_emit):
 * what no file gave is a "NotImported" failure, as a read that failed would be.
 */
#include "import/internal.h"
#include "arm/arm.h"
#include "common/buf.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
link_object_id(const struct import *im)
{
	if (im->link_file < 0 || im->files[im->link_file].kind != FK_LINK)
		return NULL;
	const cJSON *root = im->files[im->link_file].root;
	const cJSON *p = arm_obj(root, "properties");
	return arm_str(p ? p : root, "objectId");
}

static int
decide_object_id(struct import *im, struct err *err)
{
	const char *from_link = link_object_id(im);
	const char *src = NULL;

	im->oid[0] = '\0';
	if (im->o->object_id) {
		if (!is_guid(im->o->object_id))
			return err_set(err, RC_USAGE, "--object-id '%s' is not a GUID",
				       im->o->object_id);
		imp_lower_guid(im->o->object_id, im->oid);
		src = "--object-id";
		if (from_link && !str_ieq(from_link, im->oid))
			return err_set(err, RC_PARSE,
				       "%s: the partner link belongs to object id %s, not to "
				       "--object-id %s",
				       im->files[im->link_file].name, from_link, im->oid);
	} else if (from_link) {
		imp_lower_guid(from_link, im->oid);
		src = "the partner link";
	} else if (im->direct.n == 1) {
		for (size_t i = 0; i < im->direct.cap; i++)
			if (im->direct.keys[i])
				memcpy(im->oid, im->direct.keys[i], 37);
		src = "the role assignments";
	} else if (im->direct.n > 1) {
		struct buf b = BUF_INIT;
		size_t k = 0;
		for (size_t i = 0; i < im->direct.cap && k < 3; i++)
			if (im->direct.keys[i]) {
				buf_printf(&b, "%s%s", k ? ", " : "", im->direct.keys[i]);
				k++;
			}
		err_set(err, RC_PARSE,
			"the role assignment files hold direct assignments of %zu principals (%s%s): "
			"give --object-id or the partner link file to say whose they are",
			im->direct.n, buf_cstr(&b), im->direct.n > 3 ? ", ..." : "");
		buf_release(&b);
		return RC_PARSE;
	}
	if (src)
		imp_note(im, "identity: object id %s (from %s)", im->oid, src);
	else
		imp_note(im, "identity: object id unknown (no partner link, role assignment or "
			     "--object-id)");
	return 0;
}

static int
decide_period(struct import *im, struct err *err)
{
	char first[11], last[11];

	if (im->o->period) {
		if (!period_parse(im->o->period, first, last))
			return err_set(err, RC_USAGE, "bad --period '%s' (expected YYYY-MM)",
				       im->o->period);
		snprintf(im->period, sizeof(im->period), "%s", im->o->period);
		return 0;
	}
	if (im->cost.first_day[0]) {
		if (strncmp(im->cost.first_day, im->cost.last_day, 7) != 0)
			return err_set(err, RC_USAGE,
				       "the cost data spans %s to %s: give --period YYYY-MM",
				       im->cost.first_day, im->cost.last_day);
		snprintf(im->period, sizeof(im->period), "%.7s", im->cost.first_day);
		imp_note(im, "period %s (from the cost data)", im->period);
		return 0;
	}
	period_previous(im->period, sizeof(im->period));
	imp_note(im, "period %s (the previous month; no --period and no cost dates)", im->period);
	return 0;
}

int
import_finish(struct import *im, struct err *err)
{
	int rc;

	if ((rc = decide_object_id(im, err)) < 0 || (rc = decide_period(im, err)) < 0)
		return rc;
	for (size_t i = 0; i < im->n_files; i++)
		if (im->files[i].kind == FK_ROLE_ASSIGNMENTS && im->files[i].n_unknown_sub &&
		    imp_only_subscription(im)) {
			smap_slot(&im->ra_subs, imp_only_subscription(im), NULL);
		} else if (im->files[i].kind == FK_ROLE_ASSIGNMENTS && im->files[i].n_unknown_sub) {
			return err_set(err, RC_PARSE,
				       "%s: %zu assignment%s do%s not say which subscription they "
				       "were listed for, and the import has %zu subscriptions",
				       im->files[i].name, im->files[i].n_unknown_sub,
				       im->files[i].n_unknown_sub == 1 ? "" : "s",
				       im->files[i].n_unknown_sub == 1 ? "es" : "", im->n_subs);
		}
	/*
	 * A role assignment file listed for a subscription that az account list
	 * showed in another tenant (and not in --tenant) is another tenant's file.
	 */
	for (size_t i = 0; i < im->n_files; i++) {
		const struct jfile *f = &im->files[i];
		if (f->kind != FK_ROLE_ASSIGNMENTS)
			continue;
		for (size_t k = 0; k < f->ra_subs.cap; k++) {
			const char *sub = f->ra_subs.keys[k];
			if (sub == NULL || smap_has(&im->sub_index, sub) ||
			    !smap_has(&im->other_subs, sub))
				continue;
			return err_set(err, RC_PARSE,
				       "%s: its role assignments were listed for subscription %s, which "
				       "az account list shows in tenant %s, not in --tenant %s (the file "
				       "of another tenant?)",
				       f->name, sub, (const char *)smap_get(&im->other_subs, sub),
				       im->o->tenant);
		}
	}
	if (im->n_group_assignments && !im->o->include_groups)
		imp_note(im, "%zu group assignment%s ignored: pass --include-groups if the principal "
			     "is a member of those groups (az role assignment list --include-groups)",
			 im->n_group_assignments, im->n_group_assignments == 1 ? "" : "s");

	/*
	 * A bare [] (what a list command prints when there is nothing) is
	 * 'az managementpartner show' of a principal with no link when no other
	 * file is the link; an empty role assignment list says nothing anyway.
	 */
	for (size_t i = 0; i < im->n_files && im->link_file < 0; i++) {
		struct jfile *f = &im->files[i];
		if (f->kind != FK_EMPTY_LIST || !cJSON_IsArray(f->root))
			continue;
		f->kind = FK_LINK_NONE;
		f->raw = xstrdup("[]");
		im->link_file = (int)i;
		imp_note(im, "%s: [] and no other partner link file: taken as 'az managementpartner "
			     "show' of a principal with no partner link (not linked)",
			 f->name);
	}

	/* what is missing to evaluate the tenant fully */
	if (im->link_file < 0)
		imp_note(im, "missing: no partner link file (az managementpartner show -o json): "
			     "NO_LINK cannot be decided; the tenant will show COLLECTION_FAILED");
	if (!im->have_subs_source)
		imp_note(im, "missing: no subscription list (az account list --all -o json): no "
			     "subscription can be evaluated; the tenant will show COLLECTION_FAILED");
	for (size_t i = 0; i < im->n_subs; i++) {
		struct sub *s = im->subs[i];
		bool delegated = false;
		for (size_t k = 0; k < s->n_managed; k++)
			delegated |= str_ieq(s->managed[k], im->o->tenant) &&
				     !str_ieq(s->tenant ? s->tenant : "", im->o->tenant);
		if (!smap_has(&im->ra_subs, s->id))
			imp_note(im, "missing: no role assignments for subscription %s (az role assignment "
				     "list --all --assignee %s --include-inherited --include-groups "
				     "--subscription %s -o json): it will show COLLECTION_FAILED",
				 s->id, im->oid[0] ? im->oid : "OBJECT_ID", s->id);
		if (s->quota == NULL) {
			imp_note(im, "missing: no quotaId for subscription %s (az account subscription "
				     "list -o json): EA_DPOR_EXPECTED and OFFER_EXCLUDED cannot be decided",
				 s->id);
		}
		if (delegated && !smap_has(&im->lh_subs, s->id)) {
			imp_note(im, "missing: no Lighthouse delegation for delegated subscription %s "
				     "(az rest --url \"/subscriptions/%s/providers/"
				     "Microsoft.ManagedServices/registrationAssignments?"
				     "$expandRegistrationDefinition=true&api-version=2022-10-01\"): it "
				     "will show COLLECTION_FAILED",
				 s->id, s->id);
		}
	}
	if (!im->have_cost && im->n_subs) {
		imp_note(im, "missing: no cost data (a Cost Management export or portal download CSV of "
			     "the month, or az rest cost query responses): NO_USAGE cannot be decided, so "
			     "%s %zu subscription%s will show USAGE_UNREADABLE:",
			 im->n_subs == 1 ? "this" : "these", im->n_subs, im->n_subs == 1 ? "" : "s");
		for (size_t i = 0; i < im->n_subs; i++)
			imp_note(im, "  %s%s%s%s", im->subs[i]->id, im->subs[i]->name ? " (" : "",
				 im->subs[i]->name ? im->subs[i]->name : "", im->subs[i]->name ? ")" : "");
	} else if (im->have_cost)
		for (size_t i = 0; i < im->n_subs; i++)
			if (!smap_has(&im->cost.subs, im->subs[i]->id))
				imp_note(im, "subscription %s has no rows in the cost data: taken as no "
					     "cost (NO_USAGE); if the export did not cover it, import its "
					     "cost too",
					 im->subs[i]->id);
	im->finished = true;
	return 0;
}

static int
put(struct import *im, enum rec_type type, const void *rec)
{
	int rc = im->out->emit(im->out->payload, type, im->identity, rec);

	if (rc < 0 && im->emit_err->msg[0] == '\0')
		err_set(im->emit_err, rc, "cannot store record");
	return rc;
}

static int
not_imported(struct import *im, const char *kind, const char *sub, const char *command,
	     const char *what)
{
	struct failure_rec f = {
		.subscription_id = sub,
		.kind = kind,
		.method = "IMPORT",
		.url = command,
		.http_status = 0,
		.error_code = "NotImported",
		.error_message = what,
		.attempts = 0,
	};
	im->n_not_imported++;
	return put(im, REC_FAILURE, &f);
}

static int
emit_link(struct import *im)
{
	struct jfile *f;
	struct link_rec r = { 0 };

	if (im->link_file < 0)
		return not_imported(im, "link", NULL, "az managementpartner show -o json",
				    "the partner link was not among the imported files");
	f = &im->files[im->link_file];
	switch (f->kind) {
	case FK_LINK:
		return arm_emit_link(f->root, 200, f->raw, im->out, im->identity, im->emit_err);
	case FK_LINK_NONE:
		r.linked = false;
		r.http_status = 404;
		r.raw_json = f->raw;
		return put(im, REC_LINK, &r);
	default: {
		struct failure_rec fr = {
			.kind = "link",
			.method = "IMPORT",
			.url = "az managementpartner show -o json",
			.http_status = 0,
			.error_code = "ImportedError",
			.error_message = f->error ? f->error : "",
			.attempts = 0,
		};
		return put(im, REC_FAILURE, &fr);
	}
	}
}

static int
emit_subscriptions(struct import *im)
{
	int rc;

	if (!im->have_subs_source)
		return not_imported(im, "subscriptions", NULL, "az account list --all -o json",
				    "no subscription list was among the imported files");
	for (size_t i = 0; i < im->n_subs; i++) {
		struct sub *s = im->subs[i];
		struct subscription_rec r = {
			.subscription_id = s->id,
			.display_name = s->name,
			.tenant_id = s->tenant ? s->tenant : im->o->tenant,
			.state = s->state,
			.quota_id = s->quota,
			.spending_limit = s->spending,
			.location_placement_id = s->placement,
			.authorization_source = s->authsrc,
			.managed_by = (const char *const *)s->managed,
			.n_managed_by = s->n_managed,
		};
		if ((rc = put(im, REC_SUBSCRIPTION, &r)) < 0)
			return rc;
	}
	return 0;
}

static int
emit_cost(struct import *im)
{
	char first[11], last[11];
	struct smap seen = SMAP_INIT;
	long outside = 0;
	int rc = 0;

	period_parse(im->period, first, last);
	for (size_t i = 0; i < im->cost.all.cap; i++) {
		struct cost_cell *c = im->cost.all.vals[i];
		if (im->cost.all.keys[i] == NULL)
			continue;
		if (strcmp(c->day, first) < 0 || strcmp(c->day, last) > 0) {
			outside++;
			continue;
		}
		struct cost_row_rec r = {
			.subscription_id = c->sub,
			.resource_group = c->rg,
			.cost = c->cost,
			.currency = c->currency,
		};
		memcpy(r.usage_date, c->day, sizeof(r.usage_date));
		if ((rc = put(im, REC_COST_ROW, &r)) < 0)
			goto out;
	}
	if (outside)
		imp_note(im, "%ld daily cost total%s outside the period %s ignored", outside,
			 outside == 1 ? "" : "s", im->period);
	/* a status for every subscription the import saw */
	for (int pass = 0; pass < 2; pass++) {
		const struct smap *from = pass == 0 ? &im->sub_index : &im->cost.subs;
		for (size_t i = 0; i < from->cap; i++) {
			const char *sub = from->keys[i];
			int created;
			if (sub == NULL)
				continue;
			smap_slot(&seen, sub, &created);
			if (!created)
				continue;
			struct cost_status_rec s = { .subscription_id = sub };
			if (!im->have_cost) {
				s.outcome = COST_UNREADABLE;
				s.error_code = "NotImported";
				s.error_message = "no cost data was among the imported files";
				im->n_not_imported++;
			} else {
				s.outcome = smap_has(&im->cost.subs, sub) ? COST_OK : COST_NONE;
			}
			if ((rc = put(im, REC_COST_STATUS, &s)) < 0)
				goto out;
		}
	}
out:
	smap_release(&seen, NULL);
	return rc;
}

int
import_emit(struct import *im, const struct sink *sink, int64_t identity, struct err *err)
{
	struct sink fwd_ra = { imp_forward_assignment, im };
	struct sink fwd_lh = { imp_forward_lighthouse, im };
	int rc = 0;

	im->out = sink;
	im->identity = identity;
	im->emit_err = err;
	im->kept = im->dropped_groups = im->dropped_other = 0;
	im->n_not_imported = 0;
	if (im->tenant_name || im->tenant_domain) {
		struct tenant_rec t = {
			.tenant_id = im->o->tenant,
			.display_name = im->tenant_name,
			.default_domain = im->tenant_domain,
			.category = "Home",
		};
		if ((rc = put(im, REC_TENANT, &t)) < 0)
			return rc;
	}
	for (size_t i = 0; i < im->n_files; i++)
		if (im->files[i].kind == FK_TENANTS &&
		    (rc = arm_emit_tenants(im->files[i].wrap, sink, identity, err)) < 0)
			return rc;
	if ((rc = emit_link(im)) < 0 || (rc = emit_subscriptions(im)) < 0)
		return rc;
	for (size_t i = 0; i < im->n_files; i++) {
		struct jfile *f = &im->files[i];
		im->emit_file = f->name;
		if (f->kind == FK_ROLE_DEFINITIONS)
			rc = imp_each_definition(im, f, sink, err);
		else if (f->kind == FK_ROLE_ASSIGNMENTS)
			rc = arm_emit_role_assignments(f->wrap, NULL, &fwd_ra, identity, err);
		else if (f->kind == FK_LIGHTHOUSE)
			rc = arm_emit_lighthouse(f->wrap, NULL, &fwd_lh, identity, err);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < im->n_subs; i++) {
		struct sub *s = im->subs[i];
		char cmd[256];
		if (smap_has(&im->ra_subs, s->id))
			continue;
		snprintf(cmd, sizeof(cmd),
			 "az role assignment list --all --assignee %s --include-inherited "
			 "--include-groups --subscription %s -o json",
			 im->oid[0] ? im->oid : "OBJECT_ID", s->id);
		if ((rc = not_imported(im, "role_assignments", s->id, cmd,
				       "the role assignments of this subscription were not among "
				       "the imported files")) < 0)
			return rc;
	}
	for (size_t i = 0; i < im->n_subs; i++) {
		struct sub *s = im->subs[i];
		bool delegated = false;
		char cmd[256];
		for (size_t k = 0; k < s->n_managed; k++)
			delegated |= str_ieq(s->managed[k], im->o->tenant) &&
				     !str_ieq(s->tenant ? s->tenant : "", im->o->tenant);
		if (!delegated || smap_has(&im->lh_subs, s->id))
			continue;
		snprintf(cmd, sizeof(cmd),
			 "az rest --url /subscriptions/%s/providers/Microsoft.ManagedServices/"
			 "registrationAssignments?$expandRegistrationDefinition=true&"
			 "api-version=2022-10-01",
			 s->id);
		if ((rc = not_imported(im, "lighthouse", s->id, cmd,
				       "the Lighthouse delegation was not among the imported "
				       "files")) < 0)
			return rc;
	}
	if ((rc = emit_cost(im)) < 0)
		return rc;
	if (im->dropped_other)
		imp_note(im, "%zu role assignment%s of other principals ignored (not object id %s)",
			 im->dropped_other, im->dropped_other == 1 ? "" : "s", im->oid);
	return put(im, REC_IDENTITY_OK, im->oid[0] ? im->oid : NULL);
}
