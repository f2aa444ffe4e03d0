-- The switches in effect: the stored value when it is one of the switch's alternatives, else
-- the default. Every rule view reads switches here (an uncorrelated lookup, once per statement);
-- the reports and the HTML report show this query.
CREATE VIEW policy_switch (key, value, default_value, alternatives, is_default, changed_at) AS
SELECT d.key, coalesce(o.value, d.value), d.value,
       (SELECT group_concat(a.value, '|')
	FROM (SELECT value FROM policy_option x WHERE x.key = d.key ORDER BY x.ord) a),
       coalesce(o.value, d.value) = d.value, p.changed_at
FROM policy_option d
LEFT JOIN policy p ON p.key = d.key
LEFT JOIN policy_option o ON o.key = d.key AND o.value = p.value
WHERE d.is_default = 1;
