-- Drafts under the review workflow: of power items (kind power_item), and of departments'
-- responsibility lists (kind responsibility_list, code "responsibilities:<department id>").
-- A draft lives beside the published item (item_id set) or stands for an item never
-- published (item_id null); the public tables only ever hold published content, so the
-- public API cannot leak a draft.
CREATE TABLE item_drafts (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    item_id BIGINT REFERENCES power_items (id),
    base_version INTEGER,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    record TEXT NOT NULL,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL,
    reason TEXT,
    created_by BIGINT NOT NULL REFERENCES users (id),
    updated_by BIGINT NOT NULL REFERENCES users (id),
    submitted_by BIGINT REFERENCES users (id),
    submitted_at TIMESTAMP,
    review_comment TEXT,
    reviewed_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX item_drafts_code ON item_drafts (code);
CREATE INDEX item_drafts_department ON item_drafts (department_id, status);

ALTER TABLE api_tokens ADD COLUMN label TEXT;
CREATE INDEX api_tokens_prefix ON api_tokens (token_prefix);
CREATE INDEX audit_log_department ON audit_log (department_id, id);
