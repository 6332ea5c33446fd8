-- The change feed carries every public record, not only power items: an entry names its kind
-- of record (item, responsibility_list, department, law), that record's id and its key (item
-- code, department name, law title). Rows written before say item.
ALTER TABLE outbox RENAME COLUMN item_id TO entity_id;
ALTER TABLE outbox RENAME COLUMN item_code TO entity_key;
ALTER TABLE outbox ADD COLUMN entity TEXT NOT NULL DEFAULT 'item';

-- A department's 责任清单 has versions like a power item: an immutable snapshot of the whole
-- list (interchange format) per published change.
CREATE TABLE responsibility_list_versions (
    id BIGSERIAL PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    snapshot TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX responsibility_list_versions_department_version
    ON responsibility_list_versions (department_id, version);
