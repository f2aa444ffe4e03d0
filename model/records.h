/*
 * The records the collector (and later importers) produce, one struct per
 * table of sql/migrations/0001_init.sql. Strings are borrowed: they are
 * valid only for the duration of the sink call that receives them.
 */
#ifndef PALSCOPE_MODEL_RECORDS_H
#define PALSCOPE_MODEL_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct link_rec {
	bool linked;
	const char *partner_id, *partner_name, *tenant_id, *object_id, *state;
	const char *created_time, *updated_time;
	long http_status;
	const char *raw_json;	/* the body as received */
};

struct tenant_rec {
	const char *tenant_id, *display_name, *default_domain, *category, *country_code;
};

struct subscription_rec {
	const char *subscription_id, *display_name, *tenant_id, *state, *quota_id;
	const char *spending_limit, *location_placement_id, *authorization_source;
	const char *const *managed_by;	/* managing tenant ids */
	size_t n_managed_by;
};

struct role_assignment_rec {
	const char *subscription_id;	/* the subscription queried */
	const char *assignment_id, *scope, *role_guid, *role_definition_id;
	const char *principal_id, *principal_type, *created_on, *condition;
	const char *scope_level;	/* scope_level_name() */
	const char *resource_group;	/* NULL above resource-group level */
};

struct role_permission_rec {
	const char *kind;	/* action | notAction | dataAction | notDataAction */
	const char *pattern;
};

struct role_definition_rec {
	const char *role_guid, *role_name, *role_type, *description;
	const struct role_permission_rec *perms;
	size_t n_perms;
};

struct lighthouse_auth_rec {
	const char *principal_id, *principal_name, *role_guid;
	bool eligible;	/* from eligibleAuthorizations (just-in-time) */
};

struct lighthouse_rec {
	const char *subscription_id, *assignment_id, *registration_definition_id;
	const char *definition_name, *managed_by_tenant_id, *managed_by_tenant_name;
	const char *managee_tenant_id, *managee_tenant_name, *provisioning_state;
	const char *plan_name, *plan_publisher, *created_at;
	const struct lighthouse_auth_rec *auths;
	size_t n_auths;
};

enum cost_outcome { COST_OK, COST_NONE, COST_UNREADABLE };

struct cost_status_rec {
	const char *subscription_id;
	enum cost_outcome outcome;
	long http_status;
	const char *error_code, *error_message;
};

struct cost_row_rec {
	const char *subscription_id;
	char usage_date[11];	/* YYYY-MM-DD */
	const char *resource_group;	/* "" outside any resource group */
	double cost;
	const char *currency;
};

struct failure_rec {
	const char *subscription_id;	/* NULL when not about one subscription */
	const char *kind;		/* token | link | tenants | subscriptions | ... */
	const char *method, *url;	/* the URL carries no secret */
	long http_status;		/* 0 when no HTTP response arrived */
	const char *transport_error;
	const char *error_code, *error_message, *request_id;
	int attempts;
};

/*
 * Privileged Identity Management (Microsoft.Authorization 2020-10-01), per subscription:
 * roleEligibilityScheduleInstances (kind "eligible"), roleAssignmentScheduleInstances
 * ("active") and roleAssignmentScheduleRequests ("request").
 */
struct pim_rec {
	const char *subscription_id;	/* the subscription queried */
	const char *kind;		/* eligible | active | request */
	const char *item_id;		/* the instance or request id */
	const char *scope, *scope_level, *resource_group;
	const char *role_guid, *principal_id, *principal_type;
	const char *member_type;	/* Direct | Group | Inherited (instances) */
	const char *assignment_type;	/* Assigned | Activated (active instances) */
	const char *request_type;	/* SelfActivate, AdminAssign, ... (requests) */
	const char *status;
	const char *start_time, *end_time;	/* NULL end: no expiration */
	const char *eligibility_id;	/* eligible: roleEligibilityScheduleId; active and
					   request: linkedRoleEligibilityScheduleId (trailing GUID) */
	const char *created_on;
};

/* The outcome of a read that may be denied without failing the run. */
enum read_outcome { READ_OK, READ_FORBIDDEN, READ_FAILED };

struct pim_status_rec {
	const char *subscription_id;
	const char *list;		/* eligible | active | request */
	enum read_outcome outcome;
	long http_status;
	const char *error_code, *error_message;
};

/*
 * A group checked with Microsoft Graph checkMemberGroups: verified member or not
 * (READ_OK), or unverified (READ_FORBIDDEN / READ_FAILED, member false).
 */
struct group_check_rec {
	const char *group_id;
	enum read_outcome outcome;
	bool member;
	long http_status;
	const char *error_code, *error_message;
};

/* Daily cost of one resource (the per-resource query, only where access is on resources). */
struct cost_resource_rec {
	const char *subscription_id;
	char usage_date[11];		/* YYYY-MM-DD */
	const char *resource_id;	/* as Cost Management returns it (case varies) */
	double cost;
	const char *currency;
};

/*
 * A read of the identity that completed: its last page arrived, or its failure is recorded
 * (REC_FAILURE, or an unreadable cost status). A read without one never ran to its end (the run
 * was interrupted): "not read", never "nothing there".
 */
struct read_rec {
	const char *kind;		/* link | tenants | subscriptions | role_assignments |
					   lighthouse | cost */
	const char *subscription_id;	/* NULL for the tenant-level reads */
};

/* What a sink receives: one of these with a pointer to the matching record. */
enum rec_type {
	REC_IDENTITY_OK,	/* signed in; rec: const char *object_id (the token's oid) */
	REC_IDENTITY_FAILED,	/* rec: const char *error (one line) */
	REC_IDENTITY_DONE,	/* every read of the identity completed; rec: NULL */
	REC_READ_DONE,		/* struct read_rec */
	REC_LINK,		/* struct link_rec */
	REC_TENANT,		/* struct tenant_rec */
	REC_SUBSCRIPTION,	/* struct subscription_rec */
	REC_ROLE_ASSIGNMENT,	/* struct role_assignment_rec */
	REC_ROLE_DEFINITION,	/* struct role_definition_rec (per run; identity ignored) */
	REC_LIGHTHOUSE,		/* struct lighthouse_rec */
	REC_COST_STATUS,	/* struct cost_status_rec */
	REC_COST_ROW,		/* struct cost_row_rec */
	REC_FAILURE,		/* struct failure_rec */
	REC_PIM,		/* struct pim_rec */
	REC_PIM_STATUS,		/* struct pim_status_rec */
	REC_GROUP_CHECK,	/* struct group_check_rec */
	REC_COST_RESOURCE,	/* struct cost_resource_rec */
	REC_COST_RESOURCE_STATUS, /* struct cost_status_rec of the per-resource query */
	REC__COUNT
};

/*
 * The sink the collector and importers write to. identity is the id the
 * sink gave the identity (see store_add_identity). Returns 0 or a negative
 * RC_* code; a failing sink stops the producer.
 */
struct sink {
	int (*emit)(void *payload, enum rec_type type, int64_t identity, const void *rec);
	void *payload;
};

#endif
