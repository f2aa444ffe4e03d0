-- The reason codes as data: evaluation order, the status a blocking code gives, and a short
-- description. This table is the only place the numbers live: pair_eval derives codes and
-- blocking from it, subscription_status and why read the codes by name. Blocking codes block in
-- ord order; warnings never block. A policy switch (views/11_policy_option.sql) may decide a code's kind
-- (MARKETPLACE_OFFER) or whether it is evaluated at all (EA_DPOR_EXPECTED / EA_SUBSCRIPTION,
-- CLOUD_NOT_ELIGIBLE): see 40_pair_eval.sql.
CREATE VIEW reason_code (ord, code, status, kind, description) AS
VALUES
	(1, 'COLLECTION_FAILED', 'UNKNOWN', 'blocking', 'sign-in or a required read failed'),
	(2, 'CLOUD_NOT_ELIGIBLE', 'MISSING', 'blocking', 'collected in Azure Government or China: PAL is not available there'),
	(3, 'PRINCIPAL_DELETED', 'MISSING', 'blocking', 'the identity that held the link was deleted'),
	(4, 'PRINCIPAL_DISABLED', 'MISSING', 'blocking', 'the identity that held the link is disabled'),
	(5, 'SUBSCRIPTION_NOT_ACTIVE', 'MISSING', 'blocking', 'subscription is Disabled or Deleted'),
	(6, 'NO_LINK', 'MISSING', 'blocking', 'no identity with access is linked to a partner ID'),
	(7, 'LINK_WRONG_PARTNER_ID', 'MISSING', 'blocking', 'linked to a partner ID that is not yours'),
	(8, 'NO_RBAC', 'MISSING', 'blocking', 'linked identity holds no permanent role assignment'),
	(9, 'PIM_ELIGIBLE_ONLY', 'MISSING', 'blocking', 'PIM-eligible only, never active in the period'),
	(10, 'ROLE_NOT_ELIGIBLE', 'MISSING', 'blocking', 'only roles not eligible for partner earned credit'),
	(11, 'ASSIGNMENT_TOO_RECENT', 'MISSING', 'blocking', 'eligible access began after the period'),
	-- a warning or blocking as the policy says (views/11_policy_switch.sql)
	(12, 'MARKETPLACE_OFFER',
	 CASE (SELECT value FROM policy_switch WHERE key = 'marketplace_lighthouse')
	 WHEN 'blocking' THEN 'MISSING' END,
	 CASE (SELECT value FROM policy_switch WHERE key = 'marketplace_lighthouse')
	 WHEN 'blocking' THEN 'blocking' ELSE 'warning' END,
	 'access only through a Marketplace managed-service offer: recognised through Marketplace, not PAL'),
	(13, 'EA_DPOR_EXPECTED', 'MISSING', 'blocking', 'Enterprise Agreement: attributed through DPOR'),
	(14, 'OFFER_EXCLUDED', 'MISSING', 'blocking', 'trial, benefit or internal offer'),
	(15, 'USAGE_UNREADABLE', 'UNKNOWN', 'blocking', 'the cost query was denied or failed'),
	(16, 'NO_USAGE', 'MISSING', 'blocking', 'no cost in the period'),
	(17, 'SCOPE_EXCLUDES_USAGE', 'MISSING', 'blocking', 'access only on resource groups without cost'),
	(18, 'ROLE_ELIGIBILITY_UNKNOWN', NULL, 'warning', 'custom or unlisted role counted as eligible'),
	(19, 'CSP_SUBSCRIPTION', NULL, 'warning', 'CSP subscription: may show as CSP, not PAL'),
	(20, 'PIM_PARTIAL', NULL, 'warning', 'PIM role active only part of the period'),
	(21, 'PIM_UNREADABLE', NULL, 'warning', 'PIM denied: evaluated on role assignments alone'),
	(22, 'GROUP_MEMBERSHIP_UNVERIFIED', NULL, 'warning', 'Lighthouse group membership inferred: Graph did not verify it'),
	(23, 'EA_SUBSCRIPTION', NULL, 'warning', 'Enterprise Agreement: PAL counts per Microsoft''s partner team; Learn still describes DPOR');
