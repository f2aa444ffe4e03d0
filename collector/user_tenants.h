/*
 * The tenants a signed-in user reaches (collect --user): the refresh token
 * is redeemed at the user's home tenant (the token must be for that tenant
 * and name the user), then GET {arm}/tenants?api-version=2022-12-01 with
 * that token lists every directory the user is a member or guest of
 * (tenantCategory "Home"; nextLink followed on the ARM host only). Tenants
 * that only manage or project subscriptions (ManagedBy, ProjectedBy) are not
 * the user's own and are left out. The newest refresh token ends up in c.
 */
#ifndef PALSCOPE_COLLECTOR_USER_TENANTS_H
#define PALSCOPE_COLLECTOR_USER_TENANTS_H

#include <signal.h>
#include <stddef.h>

#include "collector/session.h"
#include "collector/user_auth.h"
#include "common/err.h"

struct user_tenant {
	char id[37];		/* lower case */
	char name[128];		/* displayName, "" when none */
};

/*
 * The GET /tenants pages as they were read (JSON bodies, in order). The list
 * is the user's, the same whichever of its tenants asks: collect stores it as
 * the home tenant identity's tenant list instead of reading it again in every
 * tenant (collect_opts.user_tenant_pages).
 */
struct user_tenant_pages {
	char **v;
	size_t n;
	char tenant[37];	/* the tenant whose identity they are stored as (the home tenant) */
};

void user_tenant_pages_free(struct user_tenant_pages *p);

/*
 * The user's tenants, home first, each once (caller frees *out); the pages
 * read go to *pages when it is not NULL (caller frees). RC_AUTH with the
 * reason (and the fix, for an AADSTS code) when the home tenant sign-in
 * fails, RC_HTTP when the list cannot be read.
 */
int user_tenants_list(const struct azure_endpoint *ep, struct user_credential *c,
		      volatile sig_atomic_t *stop, struct user_tenant **out, size_t *n,
		      struct user_tenant_pages *pages, struct err *err);

/* Who az is signed in as: its default tenant, and the object and UPN there. */
struct az_signin {
	char tenant[37];
	char oid[37];
	char upn[256];
};

/*
 * The tenants az's sign-in reaches (collect --az): `az account get-access-token --resource
 * {arm}` without --tenant (az's default tenant; the token's tid must be the tenant az names),
 * then GET /tenants with that token, as user_tenants_list does. The default tenant comes
 * first; who says whose sign-in it is. az runs without the secret variables of others.
 */
int az_tenants_list(const struct azure_endpoint *ep, const struct accounts *others,
		    volatile sig_atomic_t *stop, struct user_tenant **out, size_t *n,
		    struct user_tenant_pages *pages, struct az_signin *who, struct err *err);

/*
 * The tenants of a --tenants file instead: CSV with a tenant_id column (the
 * accounts file's names for it are accepted; other columns ignored), one
 * GUID a row. A malformed or repeated tenant is an error naming file, line
 * and column (RC_USAGE).
 */
int user_tenants_load(const char *path, struct user_tenant **out, size_t *n, struct err *err);

#endif
