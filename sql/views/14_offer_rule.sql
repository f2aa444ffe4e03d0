-- quotaId prefixes (case-sensitive, matched as written: MSDNDevTest_ is not MSDN_). No LIKE here:
-- '_' would be a wildcard.
CREATE VIEW offer_rule (prefix, code) AS
VALUES
	('EnterpriseAgreement_', 'EA_DPOR_EXPECTED'),
	('FreeTrial_', 'OFFER_EXCLUDED'),
	('MSDN_', 'OFFER_EXCLUDED'),
	('MPN_', 'OFFER_EXCLUDED'),
	('Sponsored_', 'OFFER_EXCLUDED'),
	('AzurePass_', 'OFFER_EXCLUDED'),
	('AzureForStudents', 'OFFER_EXCLUDED'),
	('DreamSpark_', 'OFFER_EXCLUDED'),
	('Internal_', 'OFFER_EXCLUDED'),
	('CSP_', 'CSP_SUBSCRIPTION');
