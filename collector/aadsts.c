#include "collector/aadsts.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long
aadsts_code(const char *body)
{
	cJSON *root = body ? cJSON_Parse(body) : NULL;
	long code = 0;

	if (root == NULL)
		return 0;
	const cJSON *codes = cJSON_GetObjectItemCaseSensitive(root, "error_codes");
	const cJSON *first = cJSON_IsArray(codes) ? cJSON_GetArrayItem(codes, 0) : NULL;
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "error_description");
	if (cJSON_IsNumber(first)) {
		code = (long)first->valuedouble;
	} else if (cJSON_IsString(d)) {
		const char *p = strstr(d->valuestring, "AADSTS");
		if (p)
			code = strtol(p + 6, NULL, 10);
	}
	cJSON_Delete(root);
	return code;
}

void
aadsts_error(const char *body, char *out, size_t n)
{
	cJSON *root = body ? cJSON_Parse(body) : NULL;
	const cJSON *e = root ? cJSON_GetObjectItemCaseSensitive(root, "error") : NULL;

	snprintf(out, n, "%s", cJSON_IsString(e) ? e->valuestring : "");
	cJSON_Delete(root);
}

bool
aadsts_is_expired(long code)
{
	return code == 700082 || code == 70043 || code == 50173;
}

bool
aadsts_explain(long code, const char *tenant, const char *client_id, char *out, size_t n)
{
	return aadsts_explain_as(code, tenant, client_id, "palscope login", out, n);
}

bool
aadsts_explain_as(long code, const char *tenant, const char *client_id, const char *login,
		  char *out, size_t n)
{
	const char *t = tenant ? tenant : "?";

	switch (code) {
	case 50076:
	case 50079:
	case 50078:
		snprintf(out, n,
			 "tenant %s requires multi-factor authentication (AADSTS%ld): sign in to it "
			 "once: %s --tenant %s",
			 t, code, login, t);
		return true;
	case 53003:
	case 53000:
	case 53001:
		snprintf(out, n,
			 "a Conditional Access policy of tenant %s blocks this sign-in (AADSTS%ld%s): "
			 "sign in from a device or place the policy allows (%s --tenant %s), "
			 "or ask that tenant's administrator to exclude this access",
			 t, code,
			 code == 53000   ? ", a compliant device is required"
			 : code == 53001 ? ", a domain-joined device is required"
					 : "",
			 login, t);
		return true;
	case 500212:
		snprintf(out, n,
			 "your home tenant's cross-tenant access policy does not allow access to tenant "
			 "%s (AADSTS500212): ask your administrator to allow it in the outbound "
			 "cross-tenant access settings",
			 t);
		return true;
	case 500213:
		snprintf(out, n,
			 "the cross-tenant access policy of tenant %s does not allow your account "
			 "(AADSTS500213): ask that tenant's administrator to allow your organisation in "
			 "its inbound cross-tenant access settings",
			 t);
		return true;
	case 50020:
		snprintf(out, n,
			 "your account is not a member or guest of tenant %s (AADSTS50020): ask that "
			 "tenant to invite you again, or leave it out",
			 t);
		return true;
	case 700082:
	case 70043:
	case 50173:
		snprintf(out, n,
			 "the sign-in has expired or was revoked (AADSTS%ld%s): sign in again: %s%s%s",
			 code,
			 code == 700082 ? ", unused for too long"
			 : code == 70043 ? ", a Conditional Access sign-in frequency"
					 : ", the password was changed or the sessions revoked",
			 login, code == 70043 && tenant ? " --tenant " : "", code == 70043 && tenant ? t : "");
		return true;
	case 65001:
	case 500011:
		if (strcmp(login, "az login") == 0) {
			/* az signs in as the Azure CLI's own application; --client-id is not az's */
			snprintf(out, n,
				 "the Azure CLI's application (04b07795-8ddb-461a-bbee-02f9e1bf7b46) "
				 "is not %s in tenant %s (AADSTS%ld): ask that tenant's administrator "
				 "to consent to the Azure CLI, or give that tenant an accounts-file line "
				 "with auth secret, certificate or federated",
				 code == 65001 ? "consented to" : "present", t, code);
			return true;
		}
		snprintf(out, n,
			 "the application %s is not %s in tenant %s (AADSTS%ld): ask that tenant's "
			 "administrator to consent to it, or sign in with --client-id of an application "
			 "that is",
			 client_id ? client_id : "", code == 65001 ? "consented to" : "present", t, code);
		return true;
	default:
		return false;
	}
}
