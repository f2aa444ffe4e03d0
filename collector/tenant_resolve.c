#include "collector/tenant_resolve.h"
#include "collector/http.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first path segment of url that is a GUID ("https://host/{guid}/v2.0" -> guid). */
static int
url_tenant(const char *url, char *out)
{
	const char *p = strstr(url, "://");

	if (p == NULL)
		return -1;
	p = strchr(p + 3, '/');
	while (p && *p == '/') {
		const char *seg = p + 1, *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);
		if (len == 36) {
			char g[37];
			memcpy(g, seg, 36);
			g[36] = '\0';
			if (is_guid(g)) {
				for (int i = 0; i < 37; i++)
					out[i] = (char)((g[i] >= 'A' && g[i] <= 'Z') ? g[i] + 32 : g[i]);
				return 0;
			}
		}
		p = end;
	}
	return -1;
}

int
tenant_from_discovery(const char *body, size_t len, char *out)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	int rc = -1;

	if (root == NULL)
		return -1;
	const char *keys[] = { "issuer", "token_endpoint" };
	for (size_t k = 0; k < 2 && rc < 0; k++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, keys[k]);
		if (cJSON_IsString(v))
			rc = url_tenant(v->valuestring, out);
	}
	cJSON_Delete(root);
	return rc;
}

/* "HTTP 400 invalid_tenant: AADSTS90002: Tenant 'x' not found. ..." (first line only). */
static char *
discovery_error(const struct http_req *r)
{
	char desc[300] = "";
	const char *code = "";
	cJSON *root = NULL;

	if (r->cc != CURLE_OK)
		return xasprintf("%s", r->errbuf[0] ? r->errbuf : curl_easy_strerror(r->cc));
	if (r->resp.len)
		root = cJSON_ParseWithLength(r->resp.ptr, r->resp.len);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "error_description");
	if (cJSON_IsString(e))
		code = e->valuestring;
	if (cJSON_IsString(d)) {
		snprintf(desc, sizeof(desc), "%s", d->valuestring);
		desc[strcspn(desc, "\r\n")] = '\0';
	}
	char *msg = r->status == 200
			    ? xasprintf("HTTP 200, but the discovery document names no tenant id")
			    : xasprintf("HTTP %ld%s%s%s%s", r->status, *code ? " " : "", code,
					*desc ? ": " : "", desc);
	cJSON_Delete(root);
	return msg;
}

static void
on_discovery(struct http_req *r, void *payload)
{
	struct tenant_domain *d = payload;

	if (r->cc != CURLE_OK || r->status != 200 ||
	    tenant_from_discovery(r->resp.ptr ? r->resp.ptr : "", r->resp.len, d->tenant_id) < 0) {
		d->tenant_id[0] = '\0';
		d->error = discovery_error(r);
	}
	http_req_free(r);
}

void
tenant_resolve(const struct azure_endpoint *ep, struct accounts *a, struct tenant_domains *out,
	       volatile sig_atomic_t *stop)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < a->n; i++) {
		const char *dom = a->v[i].tenant_domain;
		size_t k;
		if (dom == NULL)
			continue;
		for (k = 0; k < out->n && strcmp(out->v[k].domain, dom) != 0; k++)
			;
		if (k == out->n) {
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			memset(&out->v[k], 0, sizeof(out->v[k]));
			out->v[k].domain = xstrdup(dom);
			out->n++;
		}
		out->v[k].identities++;
	}
	if (out->n == 0)
		return;

	struct session_hooks hooks = { 0 };
	struct session *s = session_open(ep, 1u << 20, &hooks);
	struct http_engine *engine = session_engine(s);
	for (size_t k = 0; k < out->n; k++) {
		struct buf url = BUF_INIT;
		size_t n = strlen(ep->login_url);
		while (n && ep->login_url[n - 1] == '/')
			n--;
		buf_add(&url, ep->login_url, n);
		buf_addc(&url, '/');
		buf_add_urlenc(&url, out->v[k].domain);
		buf_adds(&url, "/v2.0/.well-known/openid-configuration");
		struct http_req *r = http_req_new("GET", buf_cstr(&url));
		buf_release(&url);
		r->done = on_discovery;
		r->payload = &out->v[k];
		http_submit(engine, r);
	}
	struct err err = ERR_INIT;
	if (http_engine_run(engine, stop, &err) < 0)
		log_warn("tenant domains: %s", err.msg);
	session_free(s);

	for (size_t k = 0; k < out->n; k++) {
		struct tenant_domain *d = &out->v[k];
		if (!d->tenant_id[0] && !d->error)
			d->error = xstrdup("not read (interrupted)");
		for (size_t i = 0; i < a->n; i++) {
			struct account *ac = &a->v[i];
			if (ac->tenant_domain == NULL || strcmp(ac->tenant_domain, d->domain) != 0)
				continue;
			if (d->tenant_id[0]) {
				free(ac->tenant_id);
				ac->tenant_id = xstrdup(d->tenant_id);
			} else {
				free(ac->failure);
				ac->failure = xasprintf("the tenant domain '%s' was not resolved to a "
							"tenant id (%s)",
							d->domain, d->error);
			}
		}
	}
}

void
tenant_domains_release(struct tenant_domains *d)
{
	for (size_t k = 0; k < d->n; k++) {
		free(d->v[k].domain);
		free(d->v[k].error);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

int
tenant_check_duplicates(const struct accounts *a, const char *path, struct err *err)
{
	for (size_t j = 1; j < a->n; j++) {
		const struct account *y = &a->v[j];
		for (size_t i = 0; i < j; i++) {
			const struct account *x = &a->v[i];
			bool same = x->token_command ? y->token_command &&
							       strcmp(x->token_command, y->token_command) == 0
						     : !y->token_command && str_ieq(x->client_id, y->client_id) &&
							       (x->client_id || x->auth == y->auth);
			if ((x->tenant_domain || y->tenant_domain) && same && !x->failure && !y->failure &&
			    str_ieq(x->tenant_id, y->tenant_id))
				return err_set(err, RC_USAGE,
					       "%s:%d: duplicate identity: tenant '%s' is tenant %s, as "
					       "'%s' on line %d, with the same client",
					       path, y->line,
					       y->tenant_domain ? y->tenant_domain : y->tenant_id,
					       y->tenant_id,
					       x->tenant_domain ? x->tenant_domain : x->tenant_id, x->line);
		}
	}
	return 0;
}
