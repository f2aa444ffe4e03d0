UPDATE identity SET status = 'ok', object_id = :object_id WHERE identity_id = :identity_id;
