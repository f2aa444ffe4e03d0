-- palscope reconcile: the policy switches (views/11_policy_switch.sql) the disagreements point
-- at, one sentence per suggestion (cli/cmd_reconcile.c prints them). Subscriptions palscope
-- predicts MISSING for a code a switch decides, which the download's PAL rows (temp.pc_row)
-- attribute anyway, suggest the other value; EA subscriptions predicted ATTRIBUTED under ea=pal
-- of which the download attributes none suggest ea=dpor.
WITH pc AS (SELECT DISTINCT lower(subscription_id) AS sid FROM temp.pc_row
	    WHERE month = :period AND subscription_id IS NOT NULL),
     ss AS MATERIALIZED (
	SELECT s.status, s.reason_code, s.reasons, lower(s.subscription_id) IN (SELECT sid FROM pc)
		       AS reported
	FROM subscription_status s WHERE s.period = :period),
     sg (ord, key, now_value, target, what, n) AS (
	SELECT 1, 'ea', 'dpor', 'pal', 'EA subscription',
	       sum(reported AND status = 'MISSING' AND reason_code = 'EA_DPOR_EXPECTED') FROM ss
	UNION ALL
	SELECT 2, 'read_only_roles', 'not_eligible', 'count',
	       'subscription whose linked identities hold only roles not eligible for partner earned credit',
	       sum(reported AND status = 'MISSING' AND reason_code = 'ROLE_NOT_ELIGIBLE') FROM ss
	UNION ALL
	SELECT 3, 'marketplace_lighthouse', 'blocking', 'warning',
	       'subscription delegated through a Marketplace managed-service offer',
	       sum(reported AND status = 'MISSING' AND reason_code = 'MARKETPLACE_OFFER') FROM ss
	UNION ALL
	SELECT 4, 'sovereign_cloud', 'blocking', 'ignore',
	       'subscription collected in Azure Government or China',
	       sum(reported AND status = 'MISSING' AND reason_code = 'CLOUD_NOT_ELIGIBLE') FROM ss
     )
SELECT text FROM (
	SELECT sg.ord, sg.n || ' ' || sg.what || CASE WHEN sg.n = 1 THEN '' ELSE 's' END ||
	       ' that palscope (' || sg.key || '=' || sg.now_value || ') predicts MISSING ' ||
	       CASE WHEN sg.n = 1 THEN 'is' ELSE 'are' END ||
	       ' PAL-attributed in your download: set `palscope rules set ' || sg.key || ' ' ||
	       sg.target || '`' AS text
	FROM sg JOIN policy_switch p ON p.key = sg.key AND p.value = sg.now_value
	WHERE sg.n > 0
	UNION ALL
	SELECT 5, e.n || ' EA subscription' || CASE WHEN e.n = 1 THEN '' ELSE 's' END ||
	       ' that palscope (ea=pal) predicts ATTRIBUTED ' ||
	       CASE WHEN e.n = 1 THEN 'is' ELSE 'are' END ||
	       ' not PAL-attributed in your download, and none of its EA subscriptions is: if ' ||
	       'Partner Center credits them through DPOR, set `palscope rules set ea dpor`'
	FROM (SELECT sum(status = 'ATTRIBUTED' AND NOT reported) AS n, sum(reported) AS r
	      FROM ss WHERE instr(';' || reasons || ';', ';EA_SUBSCRIPTION;') > 0) e
	WHERE e.n > 0 AND e.r = 0 AND (SELECT count(*) FROM pc) > 0
	  AND (SELECT value FROM policy_switch WHERE key = 'ea') = 'pal'
)
ORDER BY ord;
