#include "links/report_filter.h"
#include "common/csvin.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
add_tenant(struct link_tenant_set *s, const char *t)
{
	if (link_tenant_set_has(s, t))
		return;
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 16;
		s->v = xrealloc(s->v, s->alloc * sizeof(*s->v));
	}
	for (int i = 0; i < 36; i++)
		s->v[s->n][i] = (char)tolower((unsigned char)t[i]);
	s->v[s->n][36] = '\0';
	s->n++;
}

static int
read_report(struct csvin *in, struct link_tenant_set *out, struct err *err)
{
	static const char *const tenant_names[] = { "tenant_id", NULL };
	static const char *const reason_names[] = { "reason_code", NULL };
	int ct = csvin_find(in, tenant_names), cr = csvin_find(in, reason_names);
	int rc;

	if (ct < 0 || cr < 0)
		return err_set(err, RC_USAGE,
			       "%s: no '%s' column in the header: expected a 'palscope report "
			       "subscriptions' or 'report customers' CSV",
			       csvin_name(in), ct < 0 ? "tenant_id" : "reason_code");
	csvin_want(in, ct);
	csvin_want(in, cr);
	while ((rc = csvin_next(in, err)) > 0) {
		const char *tenant = csvin_field(in, ct), *reason = csvin_field(in, cr);
		out->rows++;
		if (strcmp(reason, "NO_LINK") != 0 && strcmp(reason, "LINK_WRONG_PARTNER_ID") != 0)
			continue;
		if (!is_guid(tenant))
			return csvin_fail(in, ct, err, "tenant_id '%.40s' is not a GUID", tenant);
		out->matched_rows++;
		add_tenant(out, tenant);
	}
	return rc;
}

static int
finish(struct csvin *in, int rc, struct link_tenant_set *out, struct err *err)
{
	if (rc == 0 && in)
		rc = read_report(in, out, err);
	csvin_free(in);
	if (rc < 0) {
		link_tenant_set_release(out);
		err->code = RC_USAGE;
		return RC_USAGE;
	}
	return 0;
}

int
link_report_tenants_mem(const char *data, size_t len, const char *name,
			struct link_tenant_set *out, struct err *err)
{
	struct csvin *in = NULL;
	int rc = csvin_open_mem(&in, data, len, name, err);

	return finish(in, rc, out, err);
}

int
link_report_tenants(const char *path, struct link_tenant_set *out, struct err *err)
{
	struct csvin *in = NULL;
	int rc = csvin_open(&in, path, err);

	return finish(in, rc, out, err);
}

bool
link_tenant_set_has(const struct link_tenant_set *s, const char *tenant_id)
{
	for (size_t i = 0; i < s->n; i++)
		if (str_ieq(s->v[i], tenant_id))
			return true;
	return false;
}

void
link_tenant_set_release(struct link_tenant_set *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->alloc = 0;
}
