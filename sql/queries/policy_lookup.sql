-- A switch in effect and its alternatives ('|'-separated; db/policy.c); no row: unknown key.
SELECT value, alternatives,
       EXISTS (SELECT 1 FROM policy_option o WHERE o.key = :key AND o.value = :value) AS valid
FROM policy_switch WHERE key = :key;
