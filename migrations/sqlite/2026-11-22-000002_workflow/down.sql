DROP INDEX audit_log_department;
DROP INDEX api_tokens_prefix;
ALTER TABLE api_tokens DROP COLUMN label;
DROP TABLE item_drafts;
