#include "collector/user_auth.h"
#include "collector/auth.h"
#include "common/buf.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
wipe_free(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

void
user_credential_take(struct user_credential *c, char *rt)
{
	wipe_free(c->refresh_token);
	c->refresh_token = rt;
}

void
user_credential_release(struct user_credential *c)
{
	wipe_free(c->refresh_token);
	c->refresh_token = NULL;
}

char *
user_scope_encoded(const char *resource)
{
	struct buf scope = BUF_INIT, b = BUF_INIT;
	size_t n = strlen(resource);

	while (n && resource[n - 1] == '/')
		n--;
	buf_add(&scope, resource, n);
	buf_adds(&scope, "/.default offline_access");
	buf_add_urlenc(&b, buf_cstr(&scope));
	buf_release(&scope);
	return buf_detach(&b);
}

char *
user_token_body(const struct user_credential *c, const char *resource)
{
	struct buf b = BUF_INIT;
	char *scope = user_scope_encoded(resource);

	buf_adds(&b, "grant_type=refresh_token&client_id=");
	buf_add_urlenc(&b, c->client_id);
	buf_adds(&b, "&scope=");
	buf_adds(&b, scope);
	buf_adds(&b, "&refresh_token=");
	buf_add_urlenc(&b, c->refresh_token ? c->refresh_token : "");
	free(scope);
	return buf_detach(&b);
}

char *
user_response_refresh_token(const char *body)
{
	cJSON *root = body ? cJSON_Parse(body) : NULL;
	const cJSON *rt = root ? cJSON_GetObjectItemCaseSensitive(root, "refresh_token") : NULL;
	char *out = NULL;

	if (cJSON_IsString(rt) && rt->valuestring[0])
		out = xstrdup(rt->valuestring);
	if (cJSON_IsString(rt))
		memset(rt->valuestring, 0, strlen(rt->valuestring));
	cJSON_Delete(root);
	return out;
}

/* The tenant GUID of an issuer URL "https://sts.windows.net/{guid}/" (or .../{guid}/v2.0). */
static bool
issuer_tenant(const char *iss, char *out)
{
	const char *p = strstr(iss, "://");
	char guid[37];

	if (p == NULL || (p = strchr(p + 3, '/')) == NULL)
		return false;
	snprintf(guid, sizeof(guid), "%.36s", p + 1);
	if (!is_guid(guid))
		return false;
	memcpy(out, guid, 37);
	return true;
}

int
user_token_claims(const char *token, struct user_claims *out, struct err *err)
{
	cJSON *root = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = auth_token_payload(token, &root, err)) < 0)
		return rc;
	const cJSON *oid = cJSON_GetObjectItemCaseSensitive(root, "oid");
	const cJSON *tid = cJSON_GetObjectItemCaseSensitive(root, "tid");
	if (!cJSON_IsString(oid) || !is_guid(oid->valuestring) || !cJSON_IsString(tid) ||
	    !is_guid(tid->valuestring)) {
		rc = err_set(err, RC_PARSE, "the access token has no 'oid' or 'tid' claim");
		goto out;
	}
	snprintf(out->oid, sizeof(out->oid), "%s", oid->valuestring);
	snprintf(out->tid, sizeof(out->tid), "%s", tid->valuestring);
	memcpy(out->home_tid, out->tid, sizeof(out->tid));
	const cJSON *idp = cJSON_GetObjectItemCaseSensitive(root, "idp");
	if (cJSON_IsString(idp))
		issuer_tenant(idp->valuestring, out->home_tid);
	static const char *const names[] = { "upn", "unique_name", "preferred_username" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !out->upn[0]; i++) {
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(root, names[i]);
		if (cJSON_IsString(u) && u->valuestring[0])
			snprintf(out->upn, sizeof(out->upn), "%s", u->valuestring);
	}
	const cJSON *idtyp = cJSON_GetObjectItemCaseSensitive(root, "idtyp");
	out->is_user = (cJSON_IsString(idtyp) && strcmp(idtyp->valuestring, "user") == 0) ||
		       out->upn[0];
	const cJSON *amr = cJSON_GetObjectItemCaseSensitive(root, "amr"), *m;
	cJSON_ArrayForEach(m, amr)
	{
		if (cJSON_IsString(m) && strcmp(m->valuestring, "mfa") == 0)
			out->mfa = true;
	}
out:
	cJSON_Delete(root);
	return rc;
}
