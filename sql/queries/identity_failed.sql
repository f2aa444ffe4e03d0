-- The first error wins: it is usually the cause of the later ones.
UPDATE identity SET status = 'failed', error = coalesce(error, :error)
WHERE identity_id = :identity_id;
