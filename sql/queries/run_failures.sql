-- The identities of a run that failed, with the first reason, for the summary.
SELECT coalesce(i.label, i.client_id, i.tenant_id) AS who,
       i.tenant_id,
       coalesce(i.error,
                (SELECT f.kind || ': HTTP ' || f.http_status
                        || coalesce(' ' || f.error_code, '')
                        || coalesce(' (' || f.subscription_id || ')', '')
                 FROM request_failure f WHERE f.identity_id = i.identity_id
                 ORDER BY f.failure_id LIMIT 1)) AS reason,
       (SELECT count(*) FROM request_failure f WHERE f.identity_id = i.identity_id) AS failures
FROM identity i
WHERE i.run_id = :run_id
  AND (i.status <> 'ok'
       OR EXISTS (SELECT 1 FROM request_failure f WHERE f.identity_id = i.identity_id))
ORDER BY i.identity_id;
