-- Signed in: the token's object id. The identity stays 'pending' until every read is done
-- (identity_done.sql), so an interrupted run never shows it 'ok'.
UPDATE identity SET object_id = :object_id WHERE identity_id = :identity_id;
