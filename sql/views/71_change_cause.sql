-- The causes palscope diff finds in the stored data, as data: evaluation order (a row lists its
-- causes in this order), what each compares, and whether it is a change of an identity (its
-- sign-in, link: views/72_identity_change_cause.sql) or of one subscription as one principal
-- sees it (views/74_subscription_change_cause.sql).
CREATE VIEW change_cause (ord, code, scope, description) AS
VALUES
	(1, 'IDENTITY_NOT_COLLECTED', 'identity', 'in the earlier run''s accounts, not collected in the later run'),
	(2, 'IDENTITY_SIGNIN_FAILING', 'identity', 'signed in before, its sign-in fails now (AADSTS code kept)'),
	(3, 'SUBSCRIPTION_MOVED_TENANT', 'subscription', 'the same subscription id under another tenant'),
	(4, 'LIGHTHOUSE_DELEGATION_REMOVED', 'subscription', 'the Lighthouse delegation the identity saw it through is gone'),
	(5, 'LIGHTHOUSE_DELEGATION_ADDED', 'subscription', 'a Lighthouse delegation of the subscription is new'),
	(6, 'SUBSCRIPTION_GONE', 'subscription', 'the identity no longer sees the subscription (deleted, cancelled or access removed)'),
	(7, 'SUBSCRIPTION_DISABLED', 'subscription', 'state Enabled before, not Enabled now'),
	(8, 'SUBSCRIPTION_ENABLED', 'subscription', 'not Enabled before, Enabled now'),
	(9, 'LINK_REMOVED', 'identity', 'linked to a partner ID before, not linked now'),
	(10, 'LINK_ADDED', 'identity', 'not linked before, linked now'),
	(11, 'LINK_CHANGED', 'identity', 'linked to another partner ID now'),
	(12, 'ROLE_REMOVED', 'subscription', 'role assignments of the identity on the subscription removed'),
	(13, 'ROLE_ADDED', 'subscription', 'role assignments of the identity on the subscription added'),
	(14, 'ROLE_CHANGED', 'subscription', 'another role now (e.g. Contributor -> Reader)'),
	(15, 'SCOPE_CHANGED', 'subscription', 'the role at another scope now (e.g. subscription -> resource group)'),
	(16, 'OFFER_CHANGED', 'subscription', 'another offer (quotaId) now'),
	(17, 'COST_UNREADABLE_NOW', 'subscription', 'the cost was read before, the cost query fails now'),
	(18, 'USAGE_STOPPED', 'subscription', 'usage before, none now'),
	(19, 'USAGE_STARTED', 'subscription', 'no usage before, usage now'),
	(20, 'USAGE_CHANGED', 'subscription', 'usage before and now, another amount');
