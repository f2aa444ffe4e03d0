-- The reason codes as data: evaluation order, the status a blocking code gives, and a short
-- description. This table is the only place the numbers live: pair_eval derives codes and
-- blocking from it, subscription_status and why read the codes by name. Blocking codes block in
-- ord order; warnings never block. A policy switch (views/11_policy_option.sql) may decide a code's kind
-- (MARKETPLACE_OFFER) or whether it is evaluated at all (EA_DPOR_EXPECTED / EA_SUBSCRIPTION,
-- CLOUD_NOT_ELIGIBLE): see 40_pair_eval.sql.
-- actor: who must act on the fix of a blocking code (the action list of `report html` and the
-- `why` story read it here): 'partner' (the partner's engineer: sign-ins, links, PIM activation,
-- cost visibility), 'customer' (roles, scopes, subscription state) or 'none' (the access counts
-- from the next period, there is no cost, or the offer or cloud cannot count); NULL for a warning.
CREATE VIEW reason_code (ord, code, status, kind, actor, description) AS
VALUES
	(1, 'COLLECTION_FAILED', 'UNKNOWN', 'blocking', 'partner', 'sign-in or a required read failed'),
	(2, 'CLOUD_NOT_ELIGIBLE', 'MISSING', 'blocking', 'none', 'collected in Azure Government or China: PAL is not available there'),
	(3, 'PRINCIPAL_DELETED', 'MISSING', 'blocking', 'partner', 'the identity that held the link was deleted'),
	(4, 'PRINCIPAL_DISABLED', 'MISSING', 'blocking', 'partner', 'the identity that held the link is disabled'),
	(5, 'SUBSCRIPTION_NOT_ACTIVE', 'MISSING', 'blocking', 'customer', 'subscription is Disabled or Deleted'),
	(6, 'NO_LINK', 'MISSING', 'blocking', 'partner', 'no identity with access is linked to a partner ID'),
	(7, 'LINK_WRONG_PARTNER_ID', 'MISSING', 'blocking', 'partner', 'linked to a partner ID that is not yours'),
	(8, 'NO_RBAC', 'MISSING', 'blocking', 'customer', 'linked identity holds no permanent role assignment'),
	(9, 'PIM_ELIGIBLE_ONLY', 'MISSING', 'blocking', 'partner', 'PIM-eligible only, never active in the period'),
	(10, 'ROLE_NOT_ELIGIBLE', 'MISSING', 'blocking', 'customer', 'only roles not eligible for partner earned credit'),
	(11, 'ASSIGNMENT_TOO_RECENT', 'MISSING', 'blocking', 'none', 'eligible access began after the period'),
	-- a warning or blocking as the policy says (views/11_policy_switch.sql)
	(12, 'MARKETPLACE_OFFER',
	 CASE (SELECT value FROM policy_switch WHERE key = 'marketplace_lighthouse')
	 WHEN 'blocking' THEN 'MISSING' END,
	 CASE (SELECT value FROM policy_switch WHERE key = 'marketplace_lighthouse')
	 WHEN 'blocking' THEN 'blocking' ELSE 'warning' END,
	 'none',
	 'access only through a Marketplace managed-service offer: recognised through Marketplace, not PAL'),
	(13, 'EA_DPOR_EXPECTED', 'MISSING', 'blocking', 'partner', 'Enterprise Agreement: attributed through DPOR'),
	(14, 'OFFER_EXCLUDED', 'MISSING', 'blocking', 'none', 'trial, benefit or internal offer'),
	(15, 'USAGE_UNREADABLE', 'UNKNOWN', 'blocking', 'partner', 'the cost query was denied or failed'),
	(16, 'NO_USAGE', 'MISSING', 'blocking', 'none', 'no cost in the period'),
	(17, 'SCOPE_EXCLUDES_USAGE', 'MISSING', 'blocking', 'customer', 'access only on resource groups without cost'),
	(18, 'ROLE_ELIGIBILITY_UNKNOWN', NULL, 'warning', NULL, 'custom or unlisted role counted as eligible'),
	(19, 'CSP_SUBSCRIPTION', NULL, 'warning', NULL, 'CSP subscription: may show as CSP, not PAL'),
	(20, 'PIM_PARTIAL', NULL, 'warning', NULL, 'PIM role active only part of the period'),
	(21, 'PIM_UNREADABLE', NULL, 'warning', NULL, 'PIM denied: evaluated on role assignments alone'),
	(22, 'GROUP_MEMBERSHIP_UNVERIFIED', NULL, 'warning', NULL, 'Lighthouse group membership inferred: Graph did not verify it'),
	(23, 'EA_SUBSCRIPTION', NULL, 'warning', NULL, 'Enterprise Agreement: PAL counts per Microsoft''s partner team; Learn still describes DPOR');
