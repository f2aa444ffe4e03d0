-- palscope reconcile, by subscription: palscope's prediction for :period (subscription_status)
-- against the PAL rows of a Partner Center download (temp.pc_row, loaded by import/pc.c; what is
-- said of the download as a whole: temp.reconcile_file, sql/scripts/reconcile_temp.sql).
-- One row per subscription either side knows.
-- match: BOTH, PREDICTED_ONLY (palscope expects attribution, Partner Center lacks it),
-- REPORTED_ONLY (Partner Center attributes it, palscope does not), NEITHER.
WITH pc AS (
	SELECT lower(subscription_id) AS sid, max(lower(tenant_id)) AS tid,
	       max(customer_name) AS cname,
	       group_concat(DISTINCT partner_id) AS pids, total(acr) AS acr
	FROM temp.pc_row
	WHERE month = :period AND subscription_id IS NOT NULL
	GROUP BY lower(subscription_id)
),
ss AS (SELECT * FROM subscription_status WHERE period = :period),
keys AS (SELECT lower(subscription_id) AS sid FROM ss UNION SELECT sid FROM pc),
j AS (
	SELECT k.sid, ss.tenant_id AS s_tenant, ss.customer_name AS s_name, ss.subscription_name,
	       ss.offer, ss.status, ss.reason_code, ss.partner_id, ss.explanation,
	       pc.sid IS NOT NULL AS reported, pc.tid, pc.cname, pc.pids, pc.acr,
	       coalesce(ss.tenant_id, pc.tid) AS tenant,
	       EXISTS (SELECT 1 FROM effective_identity ei
		       WHERE ei.period = :period AND ei.tenant_id = coalesce(ss.tenant_id, pc.tid))
		       AS tenant_has_identity,
	       (SELECT group_concat(DISTINCT r.partner_id) FROM temp.pc_row r
		WHERE r.tenant_id = coalesce(ss.tenant_id, pc.tid)
		  AND coalesce(r.partner_id, '') <> coalesce(ss.partner_id, '')
		  AND coalesce(r.partner_id, '') <> '') AS other_pids
	FROM keys k
	LEFT JOIN ss ON lower(ss.subscription_id) = k.sid
	LEFT JOIN pc ON pc.sid = k.sid
)
SELECT CASE WHEN j.status = 'ATTRIBUTED' AND j.reported THEN 'BOTH'
	    WHEN j.status = 'ATTRIBUTED' THEN 'PREDICTED_ONLY'
	    WHEN j.reported THEN 'REPORTED_ONLY'
	    ELSE 'NEITHER' END AS match,
       coalesce(j.tenant, '') AS tenant_id,
       coalesce(nullif(j.s_name, ''), nullif(j.cname, ''), j.tenant, '') AS customer_name,
       j.sid AS subscription_id,
       coalesce(j.subscription_name, '') AS subscription_name,
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
	       CASE WHEN j.offer LIKE 'CSP%' THEN
			 'CSP_PRECEDENCE: offer ' || j.offer || ' is a CSP subscription; if you are ' ||
			 'its CSP partner, Partner Center shows the consumption as CSP, not PAL; '
		    ELSE '' END ||
	       CASE WHEN j.other_pids IS NOT NULL THEN
			 'OTHER_LOCATION_ID: Partner Center attributes this customer to partner ID ' ||
			 j.other_pids || ', not ' || coalesce(nullif(j.partner_id, ''), 'yours') ||
			 '; the link may point to another location ID; '
		    ELSE 'OTHER_LOCATION_ID: the link to ' || coalesce(nullif(j.partner_id, ''), '?') ||
			 ' may be to a location ID this download does not cover; ' END ||
	       f.filters_note, '; ')
       WHEN j.reported AND j.status IS NULL AND NOT j.tenant_has_identity THEN
	       'NO_IDENTITY: tenant ' || coalesce(j.tenant, '?') ||
	       ' has no collected or imported identity; collect or import one signed in to it'
       WHEN j.reported AND j.status IS NULL THEN
	       'UNSEEN_IDENTITY: no identity palscope collected in tenant ' || j.tenant ||
	       ' sees this subscription; Partner Center attributes it through another linked user, ' ||
	       'service principal or group'
       WHEN j.reported THEN
	       'UNSEEN_IDENTITY: Partner Center attributes it through an identity palscope did not ' ||
	       'see in tenant ' || j.tenant || ' (palscope: ' || j.status || ' ' || j.reason_code || ')'
       ELSE '' END AS likely_causes,
       coalesce(j.explanation, '') AS explanation
FROM j, temp.reconcile_file f
ORDER BY CASE match WHEN 'PREDICTED_ONLY' THEN 0 WHEN 'REPORTED_ONLY' THEN 1 WHEN 'BOTH' THEN 2
	 ELSE 3 END, tenant_id, subscription_id;
