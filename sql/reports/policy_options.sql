-- palscope rules: one switch's alternatives in order, what each means, its sources and their
-- confidence (views/11_policy_option.sql).
SELECT value, is_default, meaning, sources, confidence
FROM policy_option WHERE key = :key ORDER BY ord;
