-- Is a role GUID in the eligibility table (a role palscope knows without its definition)?
SELECT 1 FROM role_eligibility WHERE role_guid = :role_guid;
