#include "links/explain.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool
contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (hay == NULL)
		return false;
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i] &&
		       tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return true;
	}
	return false;
}

enum link_problem
link_problem_of(const char *method, long status, const char *code, const char *message)
{
	if (status == 0)
		return LINK_P_NO_RESPONSE;
	if (contains_ci(message, "have a record for this partner id"))
		return LINK_P_UNKNOWN_ID;
	if (contains_ci(message, "does not have an account in this tenant") ||
	    contains_ci(message, "not be able to link the partner id"))
		return LINK_P_CANNOT_LINK;
	if (status == 409 || contains_ci(code, "conflict") || contains_ci(code, "alreadylinked"))
		return LINK_P_CONFLICT;
	if (status == 404 && method && (strcmp(method, "PATCH") == 0 || strcmp(method, "DELETE") == 0))
		return LINK_P_GONE;
	if (status == 401 || status == 403)
		return LINK_P_DENIED;
	if (status == 429)
		return LINK_P_THROTTLED;
	if (status >= 500)
		return LINK_P_SERVER;
	return LINK_P_OTHER;
}

void
link_explain(const char *method, long status, const char *code, const char *message,
	     const char *partner_id, const char *transport, char *out, size_t n)
{
	const char *pid = partner_id ? partner_id : "?";
	char what[400];

	switch (link_problem_of(method, status, code, message)) {
	case LINK_P_NO_RESPONSE:
		snprintf(out, n, "no answer from Azure (%.200s); nothing is known to have changed, "
				 "run the command again",
			 transport && *transport ? transport : "connection failed");
		return;
	case LINK_P_UNKNOWN_ID:
		snprintf(what, sizeof(what),
			 "Microsoft has no record of partner ID %.20s (\"We don't have a record for "
			 "this partner ID\"): this is usually the global partner ID; use the "
			 "associated location ID (the location's Partner ID in Partner Center)",
			 pid);
		break;
	case LINK_P_CANNOT_LINK:
		snprintf(what, sizeof(what),
			 "this identity cannot link in this tenant: it has no account of its own "
			 "here (a foreign principal, e.g. a CSP admin agent or GDAP user signed in "
			 "from the partner tenant, cannot link the Partner ID); use a user or "
			 "service principal that belongs to this tenant");
		break;
	case LINK_P_CONFLICT:
		snprintf(what, sizeof(what),
			 "conflict: the identity is already linked (the link changed after palscope "
			 "read it); run 'palscope link plan' to see it");
		break;
	case LINK_P_GONE:
		if (strcmp(method, "DELETE") == 0)
			snprintf(what, sizeof(what),
				 "there is no link to %.20s any more (it changed after palscope read "
				 "it); run 'palscope link plan' to see it",
				 pid);
		else
			snprintf(what, sizeof(what),
				 "the identity is not linked any more (it changed after palscope "
				 "read it), so there is nothing to update; run 'palscope link plan'");
		break;
	case LINK_P_DENIED:
		snprintf(what, sizeof(what), "Azure refused the request (HTTP %ld)", status);
		break;
	case LINK_P_THROTTLED:
		snprintf(what, sizeof(what),
			 "still throttled by Azure (HTTP 429) after every retry; run it again later");
		break;
	case LINK_P_SERVER:
		snprintf(what, sizeof(what), "Azure failed (HTTP %ld) after every retry; run it "
					     "again later",
			 status);
		break;
	case LINK_P_OTHER:
	default:
		snprintf(what, sizeof(what), "the request failed (HTTP %ld)", status);
		break;
	}
	if ((code && *code) || (message && *message))
		snprintf(out, n, "%s [%s%s%.300s]", what, code ? code : "",
			 (code && *code && message && *message) ? ": " : "", message ? message : "");
	else
		snprintf(out, n, "%s", what);
}
