-- The policy in effect (views/11_policy_switch.sql): one row per switch, in order, with its value, the
-- default, the alternatives ('|'-separated), whether it is the default and when it was last
-- changed. palscope rules and report summary print it; the HTML report reads the same query.
SELECT key, value, default_value, alternatives, is_default, coalesce(changed_at, '')
FROM policy_switch;
