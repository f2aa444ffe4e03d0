-- The switches, '|'-separated in their order of views/11_policy_option.sql (db/policy.c: the usage
-- error for an unknown key).
SELECT group_concat(key, '|') FROM policy_option WHERE is_default = 1;
