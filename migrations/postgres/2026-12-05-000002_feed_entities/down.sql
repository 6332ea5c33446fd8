DROP TABLE responsibility_list_versions;
ALTER TABLE outbox DROP COLUMN entity;
ALTER TABLE outbox RENAME COLUMN entity_key TO item_code;
ALTER TABLE outbox RENAME COLUMN entity_id TO item_id;
