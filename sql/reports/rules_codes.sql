-- palscope rules: every reason code in evaluation order with what decides it, its sources, their
-- confidence and the policy switch that changes it (views/12_reason_code.sql, 13_reason_source.sql).
SELECT rc.ord, rc.code, coalesce(rc.status, ''), rc.kind, coalesce(s.decided_by, ''),
       coalesce(s.sources, ''), coalesce(s.confidence, ''), coalesce(s.switch, '')
FROM reason_code rc
LEFT JOIN reason_source s ON s.code = rc.code
ORDER BY rc.ord;
