-- The causes palscope diff finds in the stored data, as data: evaluation order (a row lists its
-- causes in this order), what each compares, and whether it is a change of an identity (its
-- sign-in, link: views/72_identity_change_cause.sql) or of one subscription as one principal
-- sees it (views/74_subscription_change_cause.sql).
CREATE VIEW change_cause (ord, code, scope, description) AS
VALUES
	(1, 'IDENTITY_NOT_COLLECTED', 'identity', 'in the earlier run''s accounts, not collected in the later run'),
	(2, 'IDENTITY_NEWLY_COLLECTED', 'identity', 'collected in the later run, not in the earlier one'),
	(3, 'IDENTITY_SIGNIN_FAILING', 'identity', 'signed in before, its sign-in fails now (AADSTS code kept)'),
	(4, 'IDENTITY_SIGNIN_WORKING', 'identity', 'its sign-in failed before and works now'),
	(5, 'SUBSCRIPTION_MOVED_TENANT', 'subscription', 'the same subscription id under another tenant'),
	(6, 'LIGHTHOUSE_DELEGATION_REMOVED', 'subscription', 'the Lighthouse delegation the identity saw it through is gone'),
	(7, 'LIGHTHOUSE_DELEGATION_ADDED', 'subscription', 'a Lighthouse delegation of the subscription is new'),
	(8, 'SUBSCRIPTION_GONE', 'subscription', 'the identity no longer sees the subscription (deleted, cancelled or access removed)'),
	(9, 'SUBSCRIPTION_DISABLED', 'subscription', 'state Enabled before, not Enabled now'),
	(10, 'SUBSCRIPTION_ENABLED', 'subscription', 'not Enabled before, Enabled now'),
	(11, 'LINK_REMOVED', 'identity', 'linked to a partner ID before, not linked now'),
	(12, 'LINK_ADDED', 'identity', 'not linked before, linked now'),
	(13, 'LINK_CHANGED', 'identity', 'linked to another partner ID now'),
	(14, 'ROLE_REMOVED', 'subscription', 'role assignments of the identity on the subscription removed'),
	(15, 'ROLE_ADDED', 'subscription', 'role assignments of the identity on the subscription added'),
	(16, 'ROLE_CHANGED', 'subscription', 'another role now (e.g. Contributor -> Reader)'),
	(17, 'SCOPE_CHANGED', 'subscription', 'the role at another scope now (e.g. subscription -> resource group)'),
	(18, 'OFFER_CHANGED', 'subscription', 'another offer (quotaId) now'),
	(19, 'COST_UNREADABLE_NOW', 'subscription', 'the cost was read before, the cost query fails now'),
	(20, 'COST_READABLE_NOW', 'subscription', 'the cost query failed before, the cost is read now'),
	(21, 'USAGE_STOPPED', 'subscription', 'usage before, none now'),
	(22, 'USAGE_STARTED', 'subscription', 'no usage before, usage now'),
	(23, 'USAGE_CHANGED', 'subscription', 'attributed before and now, on another amount of usage');
