-- palscope reconcile, by customer: for Partner Center downloads without subscription ids.
-- customer_status for :period against the PAL rows of temp.pc_row (see
-- reconcile_subscriptions.sql for the meaning of match and the causes).
WITH pc AS (
	SELECT lower(tenant_id) AS tid, max(customer_name) AS cname,
	       group_concat(DISTINCT partner_id) AS pids, total(acr) AS acr
	FROM temp.pc_row
	WHERE month = :period AND tenant_id IS NOT NULL
	GROUP BY lower(tenant_id)
),
cs AS (SELECT * FROM customer_status WHERE period = :period),
keys AS (SELECT lower(tenant_id) AS tid FROM cs UNION SELECT tid FROM pc),
j AS (
	SELECT k.tid, cs.customer_name AS s_name, cs.status, cs.reason_code, cs.explanation,
	       pc.tid IS NOT NULL AS reported, pc.cname, pc.pids, pc.acr,
	       (SELECT group_concat(DISTINCT s.partner_id) FROM subscription_status s
		WHERE s.period = :period AND s.tenant_id = k.tid AND s.status = 'ATTRIBUTED')
		       AS partner_id,
	       (SELECT group_concat(DISTINCT s.offer) FROM subscription_status s
		WHERE s.period = :period AND s.tenant_id = k.tid AND s.status = 'ATTRIBUTED'
		  AND s.offer LIKE 'CSP%') AS csp_offers,
	       EXISTS (SELECT 1 FROM effective_identity ei
		       WHERE ei.period = :period AND ei.tenant_id = k.tid) AS tenant_has_identity
	FROM keys k
	LEFT JOIN cs ON lower(cs.tenant_id) = k.tid
	LEFT JOIN pc ON pc.tid = k.tid
)
SELECT CASE WHEN j.status = 'ATTRIBUTED' AND j.reported THEN 'BOTH'
	    WHEN j.status = 'ATTRIBUTED' THEN 'PREDICTED_ONLY'
	    WHEN j.reported THEN 'REPORTED_ONLY'
	    ELSE 'NEITHER' END AS match,
       j.tid AS tenant_id,
       coalesce(nullif(j.s_name, ''), nullif(j.cname, ''), j.tid) AS customer_name,
       '' AS subscription_id, '' AS subscription_name,
       coalesce(j.status, 'NOT_SEEN') AS palscope_status,
       coalesce(j.reason_code, '') AS reason_code,
       coalesce(j.partner_id, '') AS palscope_partner_id,
       coalesce(j.pids, '') AS reported_partner_ids,
       CASE WHEN j.reported THEN j.acr END AS reported_acr,
       CASE
       WHEN j.status = 'ATTRIBUTED' AND j.reported THEN ''
       WHEN j.status = 'ATTRIBUTED' THEN
	       rtrim(
	       CASE WHEN :period >= f.latency_from
		    THEN 'DATA_LATENCY: Partner Center may not show ' || :period ||
			 ' yet (attribution appears days to weeks after the month); ' ELSE '' END ||
	       CASE WHEN j.csp_offers IS NOT NULL THEN
			 'CSP_PRECEDENCE: ' || j.csp_offers || ' subscriptions are CSP; if you are ' ||
			 'the CSP partner, Partner Center shows them as CSP, not PAL; ' ELSE '' END ||
	       'OTHER_LOCATION_ID: the link to ' || coalesce(nullif(j.partner_id, ''), '?') ||
	       ' may be to a location ID this download does not cover; ' ||
	       f.filters_note, '; ')
       WHEN j.reported AND NOT j.tenant_has_identity THEN
	       'NO_IDENTITY: tenant ' || j.tid ||
	       ' has no collected or imported identity; collect or import one signed in to it'
       WHEN j.reported THEN
	       'UNSEEN_IDENTITY: Partner Center attributes it through an identity palscope did not ' ||
	       'see in tenant ' || j.tid || ' (palscope: ' || coalesce(j.status, 'NOT_SEEN') || ' ' ||
	       coalesce(j.reason_code, '') || ')'
       ELSE '' END AS likely_causes,
       coalesce(j.explanation, '') AS explanation
FROM j, temp.reconcile_file f
ORDER BY CASE match WHEN 'PREDICTED_ONLY' THEN 0 WHEN 'REPORTED_ONLY' THEN 1 WHEN 'BOTH' THEN 2
	 ELSE 3 END, tenant_id;
