#include "arm/access.h"
#include "arm/arm.h"
#include "common/buf.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "model/scope.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
pim_kind_name(enum pim_list l)
{
	static const char *const names[] = { "eligible", "active", "request" };

	return names[l];
}

const char *
pim_resource_type(enum pim_list l)
{
	static const char *const names[] = { "roleEligibilityScheduleInstances",
					     "roleAssignmentScheduleInstances",
					     "roleAssignmentScheduleRequests" };

	return names[l];
}

long
iso_duration_seconds(const char *s)
{
	long total = 0, v = 0;
	bool in_time = false, digits = false;

	if (s == NULL || *s != 'P')
		return -1;
	for (s++; *s; s++) {
		if (isdigit((unsigned char)*s)) {
			if (v > 100000000L)
				return -1;
			v = v * 10 + (*s - '0');
			digits = true;
			continue;
		}
		if (*s == 'T' && !in_time && !digits) {
			in_time = true;
			continue;
		}
		if (!digits)
			return -1;
		switch (*s) {
		case 'D':
			if (in_time)
				return -1;
			total += v * 86400;
			break;
		case 'H':
			total += v * 3600;
			break;
		case 'M':
			if (!in_time)
				return -1; /* months: not a fixed length */
			total += v * 60;
			break;
		case 'S':
			total += v;
			break;
		default:
			return -1;
		}
		v = 0;
		digits = false;
	}
	return digits ? -1 : total;
}

/* The trailing GUID of a schedule id, or the id itself when it is a bare GUID. */
static const char *
schedule_guid(const char *id, char *out)
{
	if (id == NULL)
		return NULL;
	return trailing_guid(id, out) == 0 ? out : id;
}

int
access_emit_pim(const cJSON *root, enum pim_list l, const char *subscription_id,
		const struct sink *sink, int64_t identity, struct err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "value"), *a;

	if (!cJSON_IsArray(v))
		return err_set(err, RC_PARSE, "%s: response has no 'value' array",
			       pim_resource_type(l));
	cJSON_ArrayForEach(a, v)
	{
		const cJSON *p = arm_obj(a, "properties");
		char guid[37], sched[37], end[32];
		struct scope_info si;
		struct pim_rec r = {
			.subscription_id = subscription_id,
			.kind = pim_kind_name(l),
			.item_id = arm_str(a, "id"),
			.scope = arm_str(p, "scope"),
			.principal_id = arm_str(p, "principalId"),
			.principal_type = arm_str(p, "principalType"),
			.member_type = arm_str(p, "memberType"),
			.assignment_type = arm_str(p, "assignmentType"),
			.request_type = arm_str(p, "requestType"),
			.status = arm_str(p, "status"),
			.start_time = arm_str(p, "startDateTime"),
			.end_time = arm_str(p, "endDateTime"),
			.created_on = arm_str(p, "createdOn"),
		};
		if (r.item_id == NULL || r.scope == NULL ||
		    trailing_guid(arm_str(p, "roleDefinitionId"), guid) < 0)
			return err_set(err, RC_PARSE,
				       "%s: entry without 'id', 'scope' or a 'roleDefinitionId' "
				       "ending in a GUID",
				       pim_resource_type(l));
		r.role_guid = guid;
		r.eligibility_id = schedule_guid(
			arm_str(p, l == PIM_ELIGIBLE ? "roleEligibilityScheduleId"
						 : "linkedRoleEligibilityScheduleId"),
			sched);
		if (l == PIM_REQUEST) {
			/* a request's window: scheduleInfo.startDateTime + expiration */
			const cJSON *sch = arm_obj(p, "scheduleInfo");
			const cJSON *ex = arm_obj(sch, "expiration");
			const char *type = arm_str(ex, "type");
			r.start_time = arm_str(sch, "startDateTime");
			r.end_time = arm_str(ex, "endDateTime");
			if (r.start_time == NULL)
				r.start_time = r.created_on;
			if (r.end_time == NULL && type && strcmp(type, "AfterDuration") == 0) {
				long secs = iso_duration_seconds(arm_str(ex, "duration"));
				time_t t0 = iso_parse(r.start_time);
				if (secs < 0 || t0 < 0)
					return err_set(err, RC_PARSE,
						       "%s: request '%s' has a bad start or duration",
						       pim_resource_type(l), r.item_id);
				epoch_to_iso(t0 + secs, end, sizeof(end));
				r.end_time = end;
			}
		}
		if (r.start_time && iso_parse(r.start_time) < 0)
			return err_set(err, RC_PARSE, "%s: entry '%s' has a bad start time '%s'",
				       pim_resource_type(l), r.item_id, r.start_time);
		scope_parse(r.scope, &si);
		r.scope_level = scope_level_name(si.level);
		r.resource_group = si.resource_group[0] ? si.resource_group : NULL;
		int rc = sink->emit(sink->payload, REC_PIM, identity, &r);
		if (rc < 0) {
			if (err->msg[0] == '\0')
				err_set(err, rc, "cannot store record");
			return rc;
		}
	}
	return 0;
}

int
access_emit_member_groups(const cJSON *root, const char *const *asked, size_t n,
			  const struct sink *sink, int64_t identity, struct err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "value"), *g;

	if (!cJSON_IsArray(v))
		return err_set(err, RC_PARSE, "checkMemberGroups: response has no 'value' array");
	cJSON_ArrayForEach(g, v)
	{
		if (!cJSON_IsString(g))
			return err_set(err, RC_PARSE,
				       "checkMemberGroups: 'value' holds something other than ids");
	}
	for (size_t i = 0; i < n; i++) {
		struct group_check_rec r = { .group_id = asked[i], .outcome = READ_OK,
					     .http_status = 200 };
		cJSON_ArrayForEach(g, v)
		{
			if (str_ieq(g->valuestring, asked[i]))
				r.member = true;
		}
		int rc = sink->emit(sink->payload, REC_GROUP_CHECK, identity, &r);
		if (rc < 0) {
			if (err->msg[0] == '\0')
				err_set(err, rc, "cannot store record");
			return rc;
		}
	}
	return 0;
}

char *
access_member_groups_body(const char *const *ids, size_t n)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "{\"groupIds\":[");
	for (size_t i = 0; i < n; i++) {
		buf_adds(&b, i ? ",\"" : "\"");
		buf_adds(&b, ids[i]); /* GUIDs: nothing to escape */
		buf_adds(&b, "\"");
	}
	buf_adds(&b, "]}");
	return buf_detach(&b);
}
