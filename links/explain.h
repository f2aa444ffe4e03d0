/*
 * Plain words for a failed Partner Admin Link request, from its method,
 * HTTP status and ARM error (code and message as received). Pure.
 */
#ifndef PALSCOPE_LINKS_EXPLAIN_H
#define PALSCOPE_LINKS_EXPLAIN_H

#include <stddef.h>

enum link_problem {
	LINK_P_OTHER,
	LINK_P_UNKNOWN_ID,	/* "We don't have a record for this partner ID" */
	LINK_P_CONFLICT,	/* create while a link exists */
	LINK_P_GONE,		/* update/remove while no (such) link exists */
	LINK_P_CANNOT_LINK,	/* the principal cannot link in this tenant (foreign principal) */
	LINK_P_DENIED,		/* 401/403 */
	LINK_P_THROTTLED,	/* 429 after every retry */
	LINK_P_SERVER,		/* 5xx */
	LINK_P_NO_RESPONSE,	/* transport error */
};

/* Classify a failed response (status 0 = no response). code/message may be NULL. */
enum link_problem link_problem_of(const char *method, long status, const char *code,
				  const char *message);

/*
 * One line for the user: what went wrong and what to do, followed by the
 * ARM code and message in brackets when there is one. partner_id is the
 * ID the request was for; transport is curl's message when status is 0.
 */
void link_explain(const char *method, long status, const char *code, const char *message,
		  const char *partner_id, const char *transport, char *out, size_t n);

#endif
