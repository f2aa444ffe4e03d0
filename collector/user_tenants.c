#include "collector/user_tenants.h"
#include "arm/arm.h"
#include "common/buf.h"
#include "common/csvin.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API_RESOURCES "2022-12-01"

struct lister {
	const struct azure_endpoint *ep;
	struct session *s;
	struct user_tenant *v;
	size_t n;
	struct user_tenant_pages *pages; /* or NULL */
	int rc;
	struct err err;
};

static void
add_tenant(struct lister *l, const char *id, const char *name)
{
	char lid[37];

	snprintf(lid, sizeof(lid), "%s", id);
	for (char *p = lid; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].id, lid) == 0)
			return;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	memcpy(l->v[l->n].id, lid, sizeof(lid));
	snprintf(l->v[l->n].name, sizeof(l->v[l->n].name), "%s", name ? name : "");
	l->n++;
}

static void on_page(struct http_req *r, void *payload);

static void
get_page(struct lister *l, struct session_ident *si, const char *url)
{
	struct http_req *r = session_req(si, "GET", url);

	r->done = on_page;
	r->payload = l;
	http_submit(session_engine(l->s), r);
}

static void
on_page(struct http_req *r, void *payload)
{
	struct lister *l = payload;
	cJSON *root = NULL;

	if (r->cc != CURLE_OK || r->status != 200 ||
	    (root = cJSON_ParseWithLength(r->resp.ptr ? r->resp.ptr : "", r->resp.len)) == NULL) {
		const char *code = "", *msg = "";
		cJSON *e = r->resp.len ? cJSON_ParseWithLength(r->resp.ptr, r->resp.len) : NULL;
		arm_error(e, &code, &msg);
		if (r->cc != CURLE_OK)
			l->rc = err_set(&l->err, RC_HTTP, "cannot list your tenants (GET /tenants): %s",
					r->errbuf);
		else
			l->rc = err_set(&l->err, RC_HTTP,
					"cannot list your tenants (GET /tenants): HTTP %ld %s%s%.200s",
					r->status, code, *code && *msg ? ": " : "", msg);
		cJSON_Delete(e);
		goto out;
	}
	if (l->pages) {
		l->pages->v = xrealloc(l->pages->v, (l->pages->n + 1) * sizeof(*l->pages->v));
		l->pages->v[l->pages->n++] = xstrdup(buf_cstr(&r->resp));
	}
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(root, "value"))
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(t, "tenantId");
		const cJSON *cat = cJSON_GetObjectItemCaseSensitive(t, "tenantCategory");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(t, "displayName");
		if (!cJSON_IsString(id) || !is_guid(id->valuestring))
			continue;
		/* Home: a directory the user is a member or guest of (ManagedBy/ProjectedBy: not) */
		if (cJSON_IsString(cat) && strcmp(cat->valuestring, "Home") != 0)
			continue;
		add_tenant(l, id->valuestring, cJSON_IsString(name) ? name->valuestring : NULL);
	}
	const char *next = arm_next_link(root);
	if (next && !http_same_origin(next, l->ep->arm_url))
		l->rc = err_set(&l->err, RC_HTTP,
				"cannot list your tenants: nextLink points to another host");
	else if (next)
		get_page(l, r->principal, next);
out:
	cJSON_Delete(root);
	http_req_free(r);
}

static void
signed_in(struct session_ident *si, void *payload)
{
	struct lister *l = payload;
	char *url = xasprintf("%s/tenants?api-version=" API_RESOURCES, l->ep->arm_url);

	get_page(l, si, url);
	free(url);
}

static void
signin_failed(struct session_ident *si, const struct http_req *r, void *payload)
{
	struct lister *l = payload;

	(void)r;
	if (si->acct->tenant_id)
		l->rc = err_set(&l->err, RC_AUTH, "home tenant %s: %s", si->acct->tenant_id,
				si->error);
	else
		l->rc = err_set(&l->err, RC_AUTH, "az's default tenant: %s", si->error);
}

void
user_tenant_pages_free(struct user_tenant_pages *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/*
 * Sign home in and list its tenants with GET /tenants (one session: the sign-in, then the
 * pages). On success *si is signed in (oid, tid) and still holds its token (caller releases).
 */
static int
list_as(const struct azure_endpoint *ep, struct session_ident *si, struct user_credential *c,
	const struct accounts *others, volatile sig_atomic_t *stop, struct lister *l)
{
	struct session_hooks hooks = { .signed_in = signed_in, .signin_failed = signin_failed,
				       .payload = l };
	struct err herr = ERR_INIT;

	l->ep = ep;
	l->s = session_open(ep, 16u << 20, &hooks);
	session_set_user(l->s, c);
	session_set_accounts(l->s, others);
	session_start(l->s, si);
	if (http_engine_run(session_engine(l->s), stop, &herr) < 0 && l->rc == 0)
		l->rc = err_set(&l->err, RC_HTTP, "%s", herr.msg);
	session_free(l->s);
	if (l->rc == 0 && *stop)
		l->rc = err_set(&l->err, RC_USAGE, "interrupted while listing your tenants");
	return l->rc;
}

/* The lister's tenants, home first (added if /tenants left it out), into *out. */
static int
home_first(struct lister *l, const char *home, struct user_tenant **out, size_t *n,
	   struct user_tenant_pages *pages, struct err *err)
{
	if (l->rc < 0) {
		free(l->v);
		if (pages)
			user_tenant_pages_free(pages);
		*err = l->err;
		return l->rc;
	}
	add_tenant(l, home, NULL);
	for (size_t i = 0; i < l->n; i++) {
		if (str_ieq(l->v[i].id, home) && i > 0) {
			struct user_tenant h = l->v[i];
			memmove(&l->v[1], &l->v[0], i * sizeof(*l->v));
			l->v[0] = h;
			break;
		}
	}
	if (pages)
		snprintf(pages->tenant, sizeof(pages->tenant), "%s", home);
	*out = l->v;
	*n = l->n;
	return 0;
}

int
user_tenants_list(const struct azure_endpoint *ep, struct user_credential *c,
		  volatile sig_atomic_t *stop, struct user_tenant **out, size_t *n,
		  struct user_tenant_pages *pages, struct err *err)
{
	struct lister l = { .pages = pages };
	struct account home = { .auth = AUTH_USER, .tenant_id = c->home_tenant, .upn = c->upn };
	struct session_ident si = { .acct = &home };

	*out = NULL;
	*n = 0;
	list_as(ep, &si, c, NULL, stop, &l);
	/* The token must name the signed-in user in the home tenant. */
	if (l.rc == 0 && si.signed_in && c->oid[0] && !str_ieq(si.oid, c->oid))
		l.rc = err_set(&l.err, RC_AUTH,
			       "home tenant %s answered for object %s, not the signed-in user %s: "
			       "sign in again: palscope login",
			       c->home_tenant, si.oid, c->oid);
	session_ident_release(&si);
	return home_first(&l, c->home_tenant, out, n, pages, err);
}

int
az_tenants_list(const struct azure_endpoint *ep, const struct accounts *others,
		volatile sig_atomic_t *stop, struct user_tenant **out, size_t *n,
		struct user_tenant_pages *pages, struct az_signin *who, struct err *err)
{
	struct lister l = { .pages = pages };
	struct account home = { .auth = AUTH_AZ };
	struct session_ident si = { .acct = &home };
	struct user_claims uc;

	*out = NULL;
	*n = 0;
	memset(who, 0, sizeof(*who));
	list_as(ep, &si, NULL, others, stop, &l);
	if (l.rc == 0 && !is_guid(si.tid))
		l.rc = err_set(&l.err, RC_AUTH,
			       "az's default tenant: the token has no 'tid' claim: not used");
	if (l.rc == 0 && si.token && user_token_claims(si.token, &uc, &l.err) == 0) {
		snprintf(who->tenant, sizeof(who->tenant), "%s", si.tid);
		snprintf(who->oid, sizeof(who->oid), "%s", si.oid);
		snprintf(who->upn, sizeof(who->upn), "%s", uc.upn);
	} else if (l.rc == 0) {
		l.rc = l.err.code ? l.err.code : RC_AUTH;
	}
	session_ident_release(&si);
	return home_first(&l, who->tenant, out, n, pages, err);
}

int
user_tenants_load(const char *path, struct user_tenant **out, size_t *n, struct err *err)
{
	static const char *const names[] = { "tenant_id", "tenant", "directory_tenant_id",
					      "directory_id", NULL };
	static const char *const name_cols[] = { "display_name", "name", "label", NULL };
	struct lister l = { 0 };
	struct csvin *in = NULL;
	int rc, col, ncol;

	*out = NULL;
	*n = 0;
	if ((rc = csvin_open(&in, path, err)) < 0) {
		err->code = RC_USAGE;
		return RC_USAGE;
	}
	if ((col = csvin_find(in, names)) < 0) {
		rc = err_set(err, RC_USAGE, "%s:1: no 'tenant_id' column in the header", path);
		goto out;
	}
	ncol = csvin_find(in, name_cols);
	csvin_want(in, col);
	csvin_want(in, ncol);
	while ((rc = csvin_next(in, err)) > 0) {
		const char *t = csvin_field(in, col);
		if (!is_guid(t)) {
			rc = csvin_fail(in, col, err, "tenant_id '%.80s' is not a GUID", t);
			goto out;
		}
		size_t before = l.n;
		add_tenant(&l, t, ncol >= 0 ? csvin_field(in, ncol) : NULL);
		if (l.n == before) {
			rc = csvin_fail(in, col, err, "tenant %s is listed twice", t);
			goto out;
		}
	}
	if (rc == 0 && l.n == 0)
		rc = err_set(err, RC_USAGE, "%s: no tenants after the header row", path);
out:
	csvin_free(in);
	if (rc < 0) {
		free(l.v);
		err->code = RC_USAGE;
		return RC_USAGE;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}
