/*
 * Azure RBAC scopes: what an assignment's scope string covers.
 * Pure functions, no I/O.
 */
#ifndef PALSCOPE_MODEL_SCOPE_H
#define PALSCOPE_MODEL_SCOPE_H

#include <stddef.h>

enum scope_level {
	SCOPE_ROOT,		/* "/" */
	SCOPE_MANAGEMENT_GROUP,	/* /providers/Microsoft.Management/managementGroups/{mg} */
	SCOPE_SUBSCRIPTION,	/* /subscriptions/{s} */
	SCOPE_RESOURCE_GROUP,	/* /subscriptions/{s}/resourceGroups/{rg} */
	SCOPE_RESOURCE,		/* anything deeper inside a subscription */
	SCOPE_OTHER,		/* unrecognised */
};

struct scope_info {
	enum scope_level level;
	char subscription_id[37];	/* "" above subscription level */
	char resource_group[91];	/* "" above resource-group level (Azure max is 90) */
};

/* Classify a scope string. Never fails; unknown shapes give SCOPE_OTHER. */
void scope_parse(const char *scope, struct scope_info *out);

/* The name the database stores for a level ("root", "management_group", ...). */
const char *scope_level_name(enum scope_level level);

/*
 * Copy the trailing GUID of a resource id (e.g. a roleDefinitionId) into out
 * (37 bytes). Returns 0, or -1 if the id does not end in a GUID.
 */
int trailing_guid(const char *id, char *out);

#endif
