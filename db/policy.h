/*
 * The policy switches (sql/migrations/0014_policy.sql, sql/views/11_policy_option.sql): contested
 * attribution rules stored as data, read by the rule views.
 */
#ifndef PALSCOPE_DB_POLICY_H
#define PALSCOPE_DB_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "db/db.h"

/*
 * Set switch key to value: records the change (time, old and new value) in policy_change and
 * rebuilds every run's summaries, all in one transaction, so the next report reads the new
 * rules. An unknown key or value is RC_USAGE with a message naming the allowed ones. *changed
 * (may be NULL) is false when the switch already had that value (nothing is written); old (may
 * be NULL, n bytes) gets the value before.
 */
int db_policy_set(struct db *db, const char *key, const char *value, bool *changed, char *old,
		  size_t n, struct err *err);

#endif
