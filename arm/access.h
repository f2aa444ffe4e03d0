/*
 * The reads that refine who holds access and to what (issue 10): Privileged Identity
 * Management schedules (Microsoft.Authorization 2020-10-01), Microsoft Graph
 * checkMemberGroups (the per-resource cost query is arm_emit_cost's). Response bodies (the
 * shapes of Microsoft's REST API specs and Graph docs; tests/fixtures/azure) -> model
 * records. Pure: no I/O.
 */
#ifndef PALSCOPE_ARM_ACCESS_H
#define PALSCOPE_ARM_ACCESS_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <time.h>

#include "common/err.h"
#include "model/records.h"

/* The three PIM lists, in the order the collector reads them. */
enum pim_list { PIM_ELIGIBLE, PIM_ACTIVE, PIM_REQUEST };

/* "eligible" | "active" | "request" */
const char *pim_kind_name(enum pim_list l);

/* The list's resource type under Microsoft.Authorization, e.g. "roleEligibilityScheduleInstances". */
const char *pim_resource_type(enum pim_list l);

/* One page of a PIM list: a REC_PIM per entry. */
int access_emit_pim(const cJSON *root, enum pim_list l, const char *subscription_id,
		    const struct sink *sink, int64_t identity, struct err *err);

/*
 * ISO 8601 duration "P[nD][T[nH][nM][nS]]" (as in scheduleInfo.expiration.duration) in
 * seconds; -1 when not of that form.
 */
long iso_duration_seconds(const char *s);

/*
 * checkMemberGroups answer for the asked group ids: a REC_GROUP_CHECK per asked id, member
 * when "value" lists it (compared case-insensitively).
 */
int access_emit_member_groups(const cJSON *root, const char *const *asked, size_t n,
			      const struct sink *sink, int64_t identity, struct err *err);

/* The checkMemberGroups request body for n group ids (at most 20); caller frees. */
char *access_member_groups_body(const char *const *ids, size_t n);

#endif
