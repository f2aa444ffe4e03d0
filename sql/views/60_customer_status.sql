-- One row per customer tenant and period: every tenant owning a reported subscription (Lighthouse
-- customers included) plus every accounts-file tenant whose identities saw no subscription at all
-- (a managing tenant that only sees delegated subscriptions gets no row). ATTRIBUTED if any of its
-- subscriptions is; UNKNOWN/COLLECTION_FAILED when a sign-in, partner-link read or subscription
-- list of its own identities failed (MISSING/PRINCIPAL_DELETED or PRINCIPAL_DISABLED when the
-- sign-in said the identity is gone: views/55_identity_status.sql); with no subscription NO_LINK, LINK_WRONG_PARTNER_ID or else
-- NO_RBAC; otherwise the status of the subscription that got furthest down the checks (an
-- interrupted run's unread one first) and, when that is MISSING, the code of the subscription
-- where the money is: among the MISSING ones that got further than every UNKNOWN one, the one
-- with the most usage (amounts in different currencies compared as numbers: no exchange rates;
-- unknown cost last), ties broken by the one that got furthest, so an empty sandbox's NO_USAGE
-- never hides the subscription that carries the cost (ASSIGNMENT_TOO_RECENT, say). When an interrupted run did not read the cost of one of
-- several subscriptions that are not attributed, where the money is (and so the reason) is not
-- known: the customer is UNKNOWN/USAGE_UNREADABLE until a complete run. reasons lists
-- every code of its subscriptions in evaluation order. attributed_usage sums the attributed cost
-- of its attributed subscriptions in one currency (the largest), usage the cost of all its
-- subscriptions and missing_usage the cost of those not attributed, in that currency (NULL when
-- no subscription's cost could be read, or the tenant's own reads failed before any subscription
-- was seen). This is the customers report.
CREATE VIEW customer_status AS
WITH subs AS (
	SELECT v.*,
	       first_value(v.currency) OVER t2 AS c_currency,
	       first_value(v.cur_attr) OVER t2 AS c_attributed,
	       first_value(v.cur_usage) OVER t2 AS c_usage,
	       first_value(v.cur_missing) OVER t2 AS c_missing,
	       -- the subscription that decides: an attributed one, then one an interrupted run did
	       -- not read (the customer is UNKNOWN, not MISSING), then one whose cost it did not
	       -- read; then, among the MISSING ones that got further than every UNKNOWN one, the
	       -- one with the most usage; else the one that got furthest (an UNKNOWN one)
	       row_number() OVER (PARTITION BY v.period, v.tenant_id
				  ORDER BY v.status = 'ATTRIBUTED' DESC, v.unread DESC,
					   v.status <> 'ATTRIBUTED' AND v.cost_unread DESC,
					   v.status = 'MISSING' AND v.blocking > coalesce(v.u_blocking, 0)
						   DESC,
					   CASE WHEN v.status = 'MISSING'
						     AND v.blocking > coalesce(v.u_blocking, 0)
						THEN coalesce(v.usage, -1e300) END DESC,
					   v.blocking DESC, v.subscription_id) AS rn
	FROM (SELECT ss.*,
		     -- the windows over t share one sort of the customer's subscriptions
		     count(*) OVER t AS n_subs,
		     max(CASE WHEN ss.status = 'UNKNOWN' THEN ss.blocking END) OVER t AS u_blocking,
		     sum(ss.status = 'ATTRIBUTED') OVER t AS n_attr,
		     sum(ss.status <> 'ATTRIBUTED' AND ss.cost_unread) OVER t AS n_cost_unread,
		     group_concat(ss.reasons, ';') OVER t AS all_reasons,
		     CASE WHEN min(nullif(ss.currency, '')) OVER t <> max(nullif(ss.currency, '')) OVER t
			  THEN 2 ELSE 1 END AS c_n_currencies,
		     sum(CASE WHEN ss.status = 'ATTRIBUTED' THEN ss.attributed END)
			     OVER (PARTITION BY ss.period, ss.tenant_id, ss.currency) AS cur_attr,
		     sum(ss.usage) OVER (PARTITION BY ss.period, ss.tenant_id, ss.currency)
			     AS cur_usage,
		     sum(CASE WHEN ss.status <> 'ATTRIBUTED' THEN ss.usage END)
			     OVER (PARTITION BY ss.period, ss.tenant_id, ss.currency) AS cur_missing
	      -- only the columns used below: every window sort carries them
	      FROM (SELECT period, tenant_id, customer_name, subscription_id, subscription_name,
			   status, reason_code, reasons, blocking, explanation, identity_name,
			   partner_id, attributed, usage, currency, unread, cost_unread
		    FROM subscription_status) ss
	      WINDOW t AS (PARTITION BY ss.period, ss.tenant_id
			   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) v
	WINDOW t2 AS (PARTITION BY v.period, v.tenant_id
		      ORDER BY coalesce(v.cur_attr, -1e300) DESC, coalesce(v.cur_usage, -1e300) DESC,
			       v.currency
		      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
),
fail AS (
	SELECT period, tenant_id, failure, fix, principal_code, identity_name, min(ord) AS ord
	FROM identity_status WHERE failed_read IS NOT NULL
	GROUP BY period, tenant_id
),
best AS (
	SELECT period, tenant_id, identity_name, link_level, partner_id, expected_partner_ids,
	       max(link_level * 1000000000000 - ord) AS pick
	FROM identity_status
	GROUP BY period, tenant_id
),
seen AS (
	SELECT period, tenant_id, sum(n_subscriptions) AS n
	FROM identity_status GROUP BY period, tenant_id
),
owned AS (
	SELECT DISTINCT ei.period, s.tenant_id
	FROM effective_identity ei JOIN subscription s ON s.identity_id = ei.identity_id
),
cust AS (
	SELECT s.period, s.tenant_id, s.customer_name, s.n_subs, s.n_attr, s.all_reasons,
	       s.c_currency, s.c_attributed, s.c_n_currencies, s.c_usage, s.c_missing,
	       s.n_attr = 0 AND s.n_subs > 1 AND s.n_cost_unread > 0 AS money_unread,
	       s.subscription_id AS top_subscription_id, s.subscription_name AS top_name,
	       s.status AS top_status, s.reason_code AS top_code, s.blocking AS top_blocking,
	       s.explanation AS top_explanation, s.identity_name AS top_identity,
	       s.partner_id AS top_partner_id, s.usage AS top_usage, s.currency AS top_currency
	FROM subs s WHERE s.rn = 1
	UNION ALL
	SELECT e.period, e.tenant_id, coalesce(tn.name, e.tenant_id), 0, 0, '', '', NULL, 0,
	       0.0, 0.0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
	FROM seen e
	LEFT JOIN tenant_name tn ON tn.period = e.period AND tn.tenant_id = e.tenant_id
	WHERE e.n = 0
	  -- and no other identity saw a subscription of the tenant (as Lighthouse customer): read
	  -- from the subscription lists, so subs stays a single pass and is never materialized
	  AND NOT EXISTS (SELECT 1 FROM owned o
			  WHERE o.period = e.period AND o.tenant_id = e.tenant_id)
)
SELECT c.period, c.tenant_id, c.customer_name,
       CASE WHEN c.n_attr > 0 THEN 'ATTRIBUTED'
	    WHEN f.principal_code IS NOT NULL THEN 'MISSING'
	    WHEN f.tenant_id IS NOT NULL THEN 'UNKNOWN'
	    WHEN c.n_subs = 0 THEN 'MISSING'
	    WHEN c.money_unread AND c.top_status = 'MISSING' THEN 'UNKNOWN'
	    ELSE c.top_status END AS status,
       CASE WHEN c.n_attr > 0 THEN ''
	    WHEN f.tenant_id IS NOT NULL THEN coalesce(f.principal_code, 'COLLECTION_FAILED')
	    WHEN c.n_subs = 0 THEN
		    CASE b.link_level WHEN 3 THEN 'NO_RBAC' WHEN 2 THEN 'LINK_WRONG_PARTNER_ID'
			 ELSE 'NO_LINK' END
	    WHEN c.money_unread AND c.top_status = 'MISSING' THEN 'USAGE_UNREADABLE'
	    ELSE c.top_code END AS reason_code,
       (SELECT group_concat(rc.code, ';')
	FROM (SELECT code FROM reason_code
	      WHERE instr(';' || c.all_reasons || ';', ';' || code || ';') > 0
		 OR (code = coalesce(f.principal_code, 'COLLECTION_FAILED') AND f.tenant_id IS NOT NULL)
		 OR (code = 'USAGE_UNREADABLE' AND c.money_unread AND c.top_status = 'MISSING'
		     AND f.tenant_id IS NULL)
		 OR (c.n_subs = 0 AND f.tenant_id IS NULL AND code =
		     CASE b.link_level WHEN 3 THEN 'NO_RBAC' WHEN 2 THEN 'LINK_WRONG_PARTNER_ID'
			  ELSE 'NO_LINK' END)
	      ORDER BY ord) rc) AS reasons,
       c.n_subs AS subscriptions, c.n_attr AS attributed_subscriptions,
       CASE WHEN c.n_attr > 0 THEN coalesce(c.c_attributed, 0) ELSE 0.0 END AS attributed_usage,
       coalesce(c.c_currency, '') AS currency,
       CASE
       WHEN c.n_attr > 0 THEN
	       c.n_attr || ' of ' || c.n_subs || ' subscription' ||
	       CASE WHEN c.n_subs = 1 THEN '' ELSE 's' END || ' attributed, ' ||
	       printf('%.2f', coalesce(c.c_attributed, 0)) || ' ' || c.c_currency || ' in ' ||
	       c.period || ' through ''' || c.top_identity || ''' linked to partner ID ' ||
	       c.top_partner_id ||
	       CASE WHEN c.n_attr < c.n_subs THEN '; the other subscriptions are missing, see ' ||
			    'palscope why ' || c.tenant_id ELSE '' END ||
	       CASE WHEN c.c_n_currencies > 1 THEN ' (costs in other currencies than ' ||
			    c.c_currency || ' are left out)' ELSE '' END || '.'
       WHEN f.tenant_id IS NOT NULL THEN
	       upper(substr(f.failure, 1, 1)) || substr(f.failure, 2) || '; ' || f.fix || '.'
       WHEN c.n_subs = 0 THEN
	       CASE b.link_level
	       WHEN 3 THEN
		       '''' || b.identity_name || ''' is linked to partner ID ' || b.partner_id ||
		       ' in tenant ' || c.tenant_id || ' but sees no subscription; ask the customer to ' ||
		       'assign it an eligible role such as Support Request Contributor on their ' ||
		       'subscriptions.'
	       WHEN 2 THEN
		       '''' || b.identity_name || ''' sees no subscription in tenant ' || c.tenant_id ||
		       ' and is linked to partner ID ' || b.partner_id || ', not to ' ||
		       replace(b.expected_partner_ids, ';', ' or ') || '; signed in as ''' ||
		       b.identity_name || ''', run `az managementpartner update --partner-id ' ||
		       CASE WHEN instr(b.expected_partner_ids, ';') > 0
			    THEN substr(b.expected_partner_ids, 1, instr(b.expected_partner_ids, ';') - 1)
			    ELSE b.expected_partner_ids END ||
		       '` and ask the customer for an eligible role such as Support Request ' ||
		       'Contributor.'
	       ELSE
		       '''' || b.identity_name || ''' signed in to tenant ' || c.tenant_id ||
		       ' but sees no subscription and is not linked to a partner ID; ask the customer ' ||
		       'for an eligible role such as Support Request Contributor, then, signed in as ''' ||
		       b.identity_name || ''', run `az managementpartner create --partner-id ' ||
		       coalesce(CASE WHEN instr(b.expected_partner_ids, ';') > 0
			    THEN substr(b.expected_partner_ids, 1, instr(b.expected_partner_ids, ';') - 1)
			    ELSE b.expected_partner_ids END, '<your partner ID>') || '`.'
	       END
       WHEN c.n_subs = 1 THEN c.top_explanation
       WHEN c.money_unread AND c.top_status = 'MISSING' THEN
	       'None of ' || c.n_subs || ' subscriptions is attributed, but the collection was ' ||
	       'interrupted before the cost of ''' || c.top_name || ''' (' || c.top_subscription_id ||
	       ') was read, and no earlier complete run of ' || c.period || ' has it: which one ' ||
	       'carries the most usage, and so the customer''s reason, is not known (each ' ||
	       'subscription''s own reason is in the subscriptions report); run palscope collect again.'
       ELSE 'None of ' || c.n_subs || ' subscriptions is attributed; ' ||
	    CASE WHEN c.top_usage IS NULL
		 THEN 'the one that got furthest, ''' || c.top_name || ''' (' || c.top_subscription_id || ')'
		 ELSE 'the one with the most usage, ''' || c.top_name || ''' (' ||
		      c.top_subscription_id || ', ' || printf('%.2f', c.top_usage) ||
		      rtrim(' ' || c.top_currency) || ' in ' || c.period || ')' END ||
	    ', stops at ' || c.top_code || ': ' ||
	    lower(substr(c.top_explanation, 1, 1)) || substr(c.top_explanation, 2)
       END AS explanation,
       c.top_subscription_id, c.top_blocking,
       -- a tenant whose sign-in or subscription list failed has no known usage
       CASE WHEN c.n_subs > 0 OR f.tenant_id IS NULL THEN c.c_usage END AS usage,
       CASE WHEN (c.n_subs > 0 OR f.tenant_id IS NULL) AND c.c_usage IS NOT NULL
	    THEN coalesce(c.c_missing, 0.0) END AS missing_usage
FROM cust c
LEFT JOIN fail f ON f.period = c.period AND f.tenant_id = c.tenant_id
LEFT JOIN best b ON b.period = c.period AND b.tenant_id = c.tenant_id;
