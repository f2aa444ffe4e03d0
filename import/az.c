/*
 * az CLI outputs that are not ARM bodies: `az account list` (subscriptions of every signed-in
 * tenant, with the user and tenant names), role definitions as az prints them (flattened), and
 * az's text output: ERROR lines (azure-cli-core aaz/_error_format.py), WARNING lines before the
 * JSON (extension/dynamic_install.py), an empty file and `null` (a command that returned nothing).
 */
#include "import/internal.h"
#include "arm/arm.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bound: a name (display name, user name) of at most MAX_NAME_BYTES. */
static int
check_name(const char *file, size_t entry, const char *key, const char *v, struct err *err)
{
	if (v == NULL || strlen(v) <= MAX_NAME_BYTES)
		return 0;
	return err_set(err, RC_PARSE, "%s: entry %zu: '%s' of %zu bytes (at most %d)", file, entry,
		       key, strlen(v), MAX_NAME_BYTES);
}

/* Subscriptions az account list --all printed for other tenants: id -> that tenant. */
static void
remember_other(struct import *im, const char *sub, const char *tenant)
{
	char key[37];
	int created;

	imp_lower_guid(sub, key);
	void **slot = smap_slot(&im->other_subs, key, &created);
	if (created)
		*slot = xstrdup(tenant);
}

/*
 * az account list --all lists the subscriptions of every tenant the user is
 * signed in to: keep --tenant's (tenantId = the tenant whose token listed
 * it), count the others, and fail only when none is of --tenant.
 */
int
imp_load_accounts(struct import *im, struct jfile *f, struct err *err)
{
	const cJSON *e;
	size_t i = 0, kept = 0, left_out = 0, tenant_level = 0, other_tl = 0;
	struct smap others = SMAP_INIT;
	const char *first_other = NULL, *first_other_tid = NULL;

	cJSON_ArrayForEach(e, f->list)
	{
		const char *id = arm_str(e, "id"), *tid = arm_str(e, "tenantId");
		const char *home = arm_str(e, "homeTenantId");
		i++;
		if (!is_guid(id)) {
			smap_release(&others, NULL);
			return err_set(err, RC_PARSE, "%s: entry %zu has no subscription 'id'",
				       f->name, i);
		}
		if (tid == NULL || !is_guid(tid)) {
			smap_release(&others, NULL);
			return err_set(err, RC_PARSE,
				       "%s: entry %zu (subscription %s) has no 'tenantId' GUID",
				       f->name, i, id);
		}
		/*
		 * az login --allow-no-subscriptions adds a "tenant level account": id is
		 * the tenant's, name "N/A(tenant level account)" (azure-cli-core
		 * _profile.py _TENANT_LEVEL_ACCOUNT_NAME). It is no subscription.
		 */
		const char *nm = arm_str(e, "name");
		int nrc;
		if ((nrc = check_name(f->name, i, "name", nm, err)) < 0 ||
		    (nrc = check_name(f->name, i, "tenantDisplayName",
				      arm_str(e, "tenantDisplayName"), err)) < 0 ||
		    (nrc = check_name(f->name, i, "user.name", arm_str(arm_obj(e, "user"), "name"),
				      err)) < 0) {
			smap_release(&others, NULL);
			return nrc;
		}
		bool tl = str_ieq(id, tid) || (nm && strcmp(nm, "N/A(tenant level account)") == 0);
		if (!str_ieq(tid, im->o->tenant)) {
			char t[37];
			if (tl) {
				other_tl++;
				continue;
			}
			imp_lower_guid(tid, t);
			smap_slot(&others, t, NULL);
			remember_other(im, id, t);
			if (first_other == NULL) {
				first_other = id;
				first_other_tid = tid;
			}
			left_out++;
			continue;
		}
		imp_fill(&im->tenant_name, arm_str(e, "tenantDisplayName"));
		imp_fill(&im->tenant_domain, arm_str(e, "tenantDefaultDomain"));
		imp_fill(&im->user_name, arm_str(arm_obj(e, "user"), "name"));
		if (tl) {
			tenant_level++;
			continue;
		}
		kept++;
		struct sub *s = imp_sub_get(im, id);
		imp_fill(&s->name, arm_str(e, "name"));
		free(s->tenant); /* the subscription list's assumed tenant gives way */
		s->tenant = NULL;
		imp_fill(&s->tenant, home ? home : tid);
		imp_fill(&s->state, arm_str(e, "state"));
		const cJSON *m, *mbt = cJSON_GetObjectItemCaseSensitive(e, "managedByTenants");
		const cJSON *mlist = cJSON_IsArray(mbt) ? mbt : NULL;
		cJSON_ArrayForEach(m, mlist)
		{
			const char *t = arm_str(m, "tenantId");
			if (t)
				imp_sub_add_managed(s, t);
		}
	}
	size_t n_other_tenants = others.n;
	smap_release(&others, NULL);
	if (kept == 0 && tenant_level == 0 && first_other == NULL)
		return err_set(err, RC_PARSE,
			       "%s: nothing in it is of --tenant %s (only tenant level accounts of "
			       "other tenants)",
			       f->name, im->o->tenant);
	if (kept == 0 && tenant_level == 0)
		return err_set(err, RC_PARSE,
			       "%s: subscription %s was listed in tenant %s, not in --tenant %s, and "
			       "so were the other %zu: nothing in the file is of --tenant (the "
			       "file of another tenant?)",
			       f->name, first_other, first_other_tid, im->o->tenant, left_out - 1);
	im->have_subs_source = true;
	imp_note(im, "%s: az account list (%zu subscription%s of --tenant%s)", f->name, kept,
		 kept == 1 ? "" : "s", tenant_level ? "; its tenant level account is no subscription" : "");
	if (left_out)
		imp_note(im, "%s: %zu subscription%s of %zu other tenant%s left out", f->name, left_out,
			 left_out == 1 ? "" : "s", n_other_tenants, n_other_tenants == 1 ? "" : "s");
	if (other_tl)
		imp_note(im, "%s: %zu tenant level account%s of other tenants left out", f->name,
			 other_tl, other_tl == 1 ? "" : "s");
	return 0;
}

/*
 * The CLI prints definitions flattened (roleName, roleType, permissions at
 * the top); arm_emit_role_definition reads the ARM form. Build the ARM form
 * from references (nothing is copied; deleting the wrapper leaves e intact).
 */
static cJSON *
definition_arm_form(cJSON *e)
{
	cJSON *w, *p;

	if (arm_obj(e, "properties"))
		return NULL;
	w = cJSON_CreateObject();
	p = cJSON_CreateObject();
	cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
	if (id)
		cJSON_AddItemReferenceToObject(w, "id", id);
	const char *map[][2] = { { "roleName", "roleName" },
				 { "roleType", "type" },
				 { "description", "description" },
				 { "permissions", "permissions" } };
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(e, map[i][0]);
		if (v)
			cJSON_AddItemReferenceToObject(p, map[i][1], v);
	}
	cJSON_AddItemToObject(w, "properties", p);
	return w;
}

int
imp_each_definition(struct import *im, struct jfile *f, const struct sink *sink, struct err *err)
{
	cJSON *e;
	int rc = 0;

	cJSON_ArrayForEach(e, f->list)
	{
		cJSON *w = definition_arm_form(e);
		rc = arm_emit_role_definition(w ? w : e, sink, err);
		cJSON_Delete(w);
		if (rc < 0) {
			err_prefix(err, "%s: ", f->name);
			return rc;
		}
	}
	(void)im;
	return 0;
}

/* The line at *pos (without its end of line); *pos moves past it. */
static bool
next_line(const char *data, size_t len, size_t *pos, const char **line, size_t *n)
{
	size_t i = *pos;

	if (i >= len)
		return false;
	*line = data + i;
	while (i < len && data[i] != '\n' && data[i] != '\r')
		i++;
	*n = (size_t)(data + i - *line);
	if (i < len && data[i] == '\r')
		i++;
	if (i < len && data[i] == '\n')
		i++;
	*pos = i;
	return true;
}

static bool
line_starts(const char *line, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(line, prefix, k) == 0;
}

/*
 * az's stderr saved with 2>&1 starts with lines of "WARNING: ..." (an
 * extension being installed, a preview notice) before the JSON on stdout or
 * the "ERROR: ..." line. The offset of the first other non-blank line.
 */
static size_t
after_az_warnings(const char *data, size_t len)
{
	size_t pos = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, start = pos;
	const char *line;
	size_t n;

	while (next_line(data, len, &pos, &line, &n)) {
		while (n && isspace((unsigned char)*line)) {
			line++;
			n--;
		}
		if (n && !line_starts(line, n, "WARNING:"))
			return (size_t)(line - data);
		start = pos;
	}
	return start;
}

/* Is this az's error output? *at is the offset of the ERROR line. */
bool
imp_az_error_text(const char *data, size_t len, size_t *at)
{
	*at = after_az_warnings(data, len);
	return line_starts(data + *at, len - *at, "ERROR:");
}

static char *
dup_trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n > 1000)
		n = 1000;
	char *r = xmalloc(n + 1);
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

/*
 * az's error text (azure-cli-core aaz/_error_format.py AAZODataV4Format, as
 * azure-core's ODataV4Format): "ERROR: (Code) Message", then "Code: Code" and
 * "Message: Message" lines. Older az (msrest) printed "ERROR: Operation returned
 * an invalid status code 'Not Found'". The code and message are taken from it;
 * a NotFound is "not linked", stored as a collected 404 is: linked = 0, HTTP 404,
 * the body {"error":{"code","message"}} the service sent.
 */
int
imp_load_error_text(struct import *im, const char *name, const char *data, size_t len, size_t at,
		    struct err *err)
{
	char *code = NULL, *msg = NULL;
	const char *line = data + at;
	size_t n = 0, pos = at;
	int rc;

	next_line(data, len, &pos, &line, &n);
	line += 6; /* "ERROR:" */
	n -= 6;
	while (n && *line == ' ') {
		line++;
		n--;
	}
	const char *close = n && *line == '(' ? memchr(line, ')', n) : NULL;
	if (close) {
		code = dup_trimmed(line + 1, (size_t)(close - line - 1));
		msg = dup_trimmed(close + 1, n - (size_t)(close + 1 - line));
	} else {
		msg = dup_trimmed(line, n);
		if (strstr(msg, "'Not Found'"))
			code = xstrdup("NotFound");
	}
	while (next_line(data, len, &pos, &line, &n)) {
		if (line_starts(line, n, "Code: ")) {
			free(code);
			code = dup_trimmed(line + 6, n - 6);
		} else if (line_starts(line, n, "Message: ")) {
			free(msg);
			msg = dup_trimmed(line + 9, n - 9);
		}
	}
	struct jfile *f = imp_new_jfile(im, name, FK_LINK_NONE);
	f->error = xasprintf("%s%s%s", code ? code : "", code ? ": " : "", msg);
	if (code && imp_not_found_text(code, NULL)) {
		cJSON *body = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(body, "error");
		cJSON_AddStringToObject(e, "code", code);
		cJSON_AddStringToObject(e, "message", msg);
		f->raw = cJSON_PrintUnformatted(body);
		cJSON_Delete(body);
	} else {
		f->raw = xmalloc(len + 1);
		memcpy(f->raw, data, len);
		f->raw[len] = '\0';
		if (code == NULL && imp_not_found_text(msg, NULL))
			f->kind = FK_LINK_NONE;
		else
			f->kind = FK_LINK_ERROR;
	}
	if ((rc = imp_set_link_file(im, name, err)) < 0)
		goto out;
	if (f->kind == FK_LINK_NONE)
		imp_note(im, "%s: az error output (%s): taken as 'az managementpartner show' of a "
			     "principal with no partner link (not linked)",
			 name, f->error);
	else
		imp_note(im, "%s: az error output (%s): taken as a failed 'az managementpartner show' "
			     "(the link could not be read)",
			 name, f->error);
out:
	free(code);
	free(msg);
	return rc;
}

/*
 * An empty file, or az's null (what a command that returned nothing prints): the output of 'az
 * managementpartner show' for a principal with no partner link. raw is stored as the link's body.
 */
int
imp_load_unlinked(struct import *im, const char *name, const char *raw, struct err *err)
{
	struct jfile *f = imp_new_jfile(im, name, FK_LINK_NONE);
	int rc;

	f->raw = xstrdup(raw);
	if ((rc = imp_set_link_file(im, name, err)) < 0)
		return rc;
	imp_note(im, "%s: %s: taken as 'az managementpartner show' of a principal with no "
		     "partner link (not linked)",
		 name, raw[0] ? raw : "empty");
	return 0;
}
