#include "model/scope.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static size_t
segment(const char *s, char *out, size_t cap)
{
	size_t n = strcspn(s, "/");

	if (out && cap) {
		size_t c = n < cap - 1 ? n : cap - 1;
		memcpy(out, s, c);
		out[c] = '\0';
	}
	return n;
}

void
scope_parse(const char *scope, struct scope_info *out)
{
	const char *p = scope;
	size_t n;

	memset(out, 0, sizeof(*out));
	out->level = SCOPE_OTHER;
	if (p == NULL || *p != '/')
		return;
	if (strcmp(p, "/") == 0) {
		out->level = SCOPE_ROOT;
		return;
	}
	if (str_istarts(p, "/providers/Microsoft.Management/managementGroups/")) {
		out->level = SCOPE_MANAGEMENT_GROUP;
		return;
	}
	if (!str_istarts(p, "/subscriptions/"))
		return;
	p += strlen("/subscriptions/");
	n = segment(p, out->subscription_id, sizeof(out->subscription_id));
	if (n == 0)
		return;
	p += n;
	if (*p == '\0' || strcmp(p, "/") == 0) {
		out->level = SCOPE_SUBSCRIPTION;
		return;
	}
	if (str_istarts(p, "/resourceGroups/")) {
		p += strlen("/resourceGroups/");
		n = segment(p, out->resource_group, sizeof(out->resource_group));
		if (n == 0)
			return;
		p += n;
		out->level = (*p == '\0' || strcmp(p, "/") == 0) ? SCOPE_RESOURCE_GROUP : SCOPE_RESOURCE;
		return;
	}
	out->level = SCOPE_RESOURCE;
}

const char *
scope_level_name(enum scope_level level)
{
	static const char *const names[] = { "root", "management_group", "subscription",
					      "resource_group", "resource", "other" };
	return names[level];
}

int
trailing_guid(const char *id, char *out)
{
	size_t len = id ? strlen(id) : 0;

	if (len < 36)
		return -1;
	const char *g = id + len - 36;
	if (len > 36 && g[-1] != '/')
		return -1;
	memcpy(out, g, 36);
	out[36] = '\0';
	return is_guid(out) ? 0 : -1;
}
