/*
 * Azure Resource Manager response bodies -> model records. Each function
 * takes a parsed body (the shapes of ../shared/azure-examples, as the ARM
 * REST API returns them), emits records to a sink and returns 0, or a
 * negative RC_PARSE with err set when the shape is not what the API
 * documents. Pure: no I/O. Also used by importers for saved `az rest` output.
 */
#ifndef PALSCOPE_ARM_ARM_H
#define PALSCOPE_ARM_ARM_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "common/err.h"
#include "model/records.h"

/*
 * The getters every JSON reader shares: member key of o as a string or as an
 * object, NULL when o is NULL, the member is absent or has another type;
 * arm_has: whether o has the member at all (any type).
 */
const char *arm_str(const cJSON *o, const char *key);
const cJSON *arm_obj(const cJSON *o, const char *key);
bool arm_has(const cJSON *o, const char *key);

/* The paging link of a list body ("nextLink" or "properties.nextLink"), or NULL. */
const char *arm_next_link(const cJSON *root);

/*
 * The ARM error of a body: error.code/error.message, top-level code/message
 * (ManagementPartner's legacy schema) or the identity platform's
 * error/error_description. Empty strings when absent; never NULL.
 */
void arm_error(const cJSON *root, const char **code, const char **message);

/* GET /providers/Microsoft.ManagementPartner/partners: 200 (linked) or 404. */
int arm_emit_link(const cJSON *root, long http_status, const char *raw, const struct sink *sink,
		  int64_t identity, struct err *err);

int arm_emit_tenants(const cJSON *root, const struct sink *sink, int64_t identity,
		     struct err *err);
int arm_emit_subscriptions(const cJSON *root, const struct sink *sink, int64_t identity,
			   struct err *err);
/* subscription_id: the subscription that was queried. */
int arm_emit_role_assignments(const cJSON *root, const char *subscription_id,
			      const struct sink *sink, int64_t identity, struct err *err);
int arm_emit_role_definition(const cJSON *root, const struct sink *sink, struct err *err);
int arm_emit_lighthouse(const cJSON *root, const char *subscription_id, const struct sink *sink,
			int64_t identity, struct err *err);
/*
 * A Cost Management query page; *rows gets the number of cost rows emitted: REC_COST_ROW,
 * or REC_COST_RESOURCE when the page has a ResourceId column (the per-resource query).
 */
int arm_emit_cost(const cJSON *root, const char *subscription_id, const struct sink *sink,
		  int64_t identity, long *rows, struct err *err);

/* The cost query body for a period (first/last day "YYYY-MM-DD"); caller frees. */
char *arm_cost_query_body(const char *first_day, const char *last_day);
/* The same, grouped by another dimension ("ResourceId": the per-resource query). */
char *arm_cost_query_body_by(const char *first_day, const char *last_day, const char *dimension);

#endif
