/*
 * Tenants given as a domain in the accounts file (contoso.onmicrosoft.com, contoso.com) are
 * resolved to their tenant GUID through the cloud's OpenID Connect discovery document,
 * GET {login}/{domain}/v2.0/.well-known/openid-configuration, once per domain: the GUID is the
 * tenant segment of its issuer ("https://login.microsoftonline.com/{tenant}/v2.0"), else of its
 * token_endpoint. A domain that does not resolve is the failure of its identities only
 * (account.failure), never of the run.
 */
#ifndef PALSCOPE_COLLECTOR_TENANT_RESOLVE_H
#define PALSCOPE_COLLECTOR_TENANT_RESOLVE_H

#include <signal.h>
#include <stddef.h>

#include "collector/accounts.h"
#include "collector/session.h"

struct tenant_domain {
	char *domain;		/* lower case, as the accounts file gave it */
	char tenant_id[37];	/* the GUID; "" when not resolved */
	char *error;		/* why not (NULL when resolved) */
	int identities;		/* accounts lines naming it */
};

struct tenant_domains {
	struct tenant_domain *v;
	size_t n;
};

/*
 * Resolve every distinct a->v[i].tenant_domain through ep (login_url, TLS and retry settings).
 * A resolved account gets the GUID as tenant_id; one that is not gets account.failure. out lists
 * the domains (empty when the file has none, and then nothing is requested).
 */
void tenant_resolve(const struct azure_endpoint *ep, struct accounts *a, struct tenant_domains *out,
		    volatile sig_atomic_t *stop);

/* The GUID in a discovery document (37 bytes into out); -1 when it names none. */
int tenant_from_discovery(const char *body, size_t len, char *out);

void tenant_domains_release(struct tenant_domains *d);

/*
 * Once domains are resolved, two lines of the same tenant (one as a domain, one as its GUID, or
 * two domains of it) with the same client or token command are the same identity: RC_USAGE with
 * "PATH:LINE: duplicate identity ...".
 */
int tenant_check_duplicates(const struct accounts *a, const char *path, struct err *err);

#endif
