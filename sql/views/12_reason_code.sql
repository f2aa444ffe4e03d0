-- The reason codes as data: evaluation order, the status a blocking code gives, and a short
-- description. This table is the only place the numbers live: pair_eval derives codes and
-- blocking from it, subscription_status and why read the codes by name. Blocking codes block in
-- ord order; warnings never block.
CREATE VIEW reason_code (ord, code, status, kind, description) AS
VALUES
	(1, 'COLLECTION_FAILED', 'UNKNOWN', 'blocking', 'sign-in or a required read failed'),
	(2, 'PRINCIPAL_DELETED', 'MISSING', 'blocking', 'the identity that held the link was deleted'),
	(3, 'PRINCIPAL_DISABLED', 'MISSING', 'blocking', 'the identity that held the link is disabled'),
	(4, 'SUBSCRIPTION_NOT_ACTIVE', 'MISSING', 'blocking', 'subscription is Disabled or Deleted'),
	(5, 'NO_LINK', 'MISSING', 'blocking', 'no identity with access is linked to a partner ID'),
	(6, 'LINK_WRONG_PARTNER_ID', 'MISSING', 'blocking', 'linked to a partner ID that is not yours'),
	(7, 'NO_RBAC', 'MISSING', 'blocking', 'linked identity holds no permanent role assignment'),
	(8, 'PIM_ELIGIBLE_ONLY', 'MISSING', 'blocking', 'PIM-eligible only, never active in the period'),
	(9, 'ROLE_NOT_ELIGIBLE', 'MISSING', 'blocking', 'only roles not eligible for partner earned credit'),
	(10, 'ASSIGNMENT_TOO_RECENT', 'MISSING', 'blocking', 'eligible access began after the period'),
	(11, 'EA_DPOR_EXPECTED', 'MISSING', 'blocking', 'Enterprise Agreement: attributed through DPOR'),
	(12, 'OFFER_EXCLUDED', 'MISSING', 'blocking', 'trial, benefit or internal offer'),
	(13, 'USAGE_UNREADABLE', 'UNKNOWN', 'blocking', 'the cost query was denied or failed'),
	(14, 'NO_USAGE', 'MISSING', 'blocking', 'no cost in the period'),
	(15, 'SCOPE_EXCLUDES_USAGE', 'MISSING', 'blocking', 'access only on resource groups without cost'),
	(16, 'ROLE_ELIGIBILITY_UNKNOWN', NULL, 'warning', 'custom or unlisted role counted as eligible'),
	(17, 'CSP_SUBSCRIPTION', NULL, 'warning', 'CSP subscription: may show as CSP, not PAL'),
	(18, 'PIM_PARTIAL', NULL, 'warning', 'PIM role active only part of the period'),
	(19, 'PIM_UNREADABLE', NULL, 'warning', 'PIM denied: evaluated on role assignments alone'),
	(20, 'GROUP_MEMBERSHIP_UNVERIFIED', NULL, 'warning', 'Lighthouse group membership inferred: Graph did not verify it');
