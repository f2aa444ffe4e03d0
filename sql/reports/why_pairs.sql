-- palscope why (reports/why_story.c): every (subscription, identity) pair of every customer of
-- temp.why_customer (sql/scripts/why_customers.sql) up to rank :limit, in one pass: by customer
-- rank, the deciding pair of each subscription first. temp.why_subscription:
-- why_subscriptions.sql; the pairs' pair_eval rows and grants: temp.why_pair and
-- temp.why_role, evaluated once by why_customers.sql (no rule view is evaluated here). Each
-- step's verdict is read from codes (the pair's failing checks, by reason-code name); columns
-- are looked up by name. actor: who must act on the deciding
-- reason's fix (views/12_reason_code.sql), '' when attributed.
SELECT c.rank AS customer_rank, ss.subscription_id, ss.subscription_name, ss.status,
       ss.reason_code, ss.reasons, ss.explanation, ss.usage, ss.attributed,
       coalesce((SELECT rc.actor FROM reason_code rc WHERE rc.code = ss.reason_code), '')
	       AS actor,
       pe.identity_id = ss.identity_id AS chosen,
       pe.identity_name, pe.identity_tenant_id, pe.via_lighthouse, pe.blocking, pe.codes,
       coalesce(pe.failure, pe.identity_error, '') AS failure,
       coalesce(pe.partner_id, '') AS partner_id, coalesce(pe.link_state, '') AS link_state,
       coalesce(pe.link_created, '') AS link_created,
       coalesce(pe.expected_partner_ids, '') AS expected_partner_ids,
       coalesce((SELECT group_concat(r.role_name || ' at ' || r.scope_desc ||
				     CASE WHEN r.jit THEN ' (eligible JIT, not counted)'
					  WHEN r.eligible THEN '' ELSE ' (not eligible)' END, ';')
		 FROM (SELECT DISTINCT a.role_name, a.scope_desc, a.jit, a.eligible
		       FROM temp.why_role a
		       WHERE a.identity_id = pe.identity_id AND a.subscription_id = pe.subscription_id
		       ORDER BY a.jit, a.role_name, a.scope_desc) r), '') AS roles,
       pe.n_eligible_whole, coalesce(pe.covered_rgs, '') AS covered_rgs,
       CASE WHEN pe.start_jd > 0 THEN strftime('%Y-%m-%dT%H:%M:%SZ', pe.start_jd) ELSE '' END
	       AS access_start,
       coalesce(pe.state, '') AS state, coalesce(pe.quota_id, '') AS quota_id,
       coalesce(pe.cost_status, '') AS cost_status, pe.total, coalesce(pe.currency, '') AS currency,
       pe.attributed AS pair_attributed
FROM temp.why_customer c
JOIN temp.why_subscription ss ON ss.tenant_id = c.tenant_id
JOIN temp.why_pair pe ON pe.subscription_id = ss.subscription_id
WHERE ss.period = :period AND c.rank <= :limit
ORDER BY c.rank, ss.blocking DESC, ss.subscription_name COLLATE NOCASE, ss.subscription_id,
	 chosen DESC, pe.blocking DESC, pe.identity_ord;
