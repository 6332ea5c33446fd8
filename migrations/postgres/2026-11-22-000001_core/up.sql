-- Core registry schema (PostgreSQL dialect). Keep column names, order and nullability identical to
-- ../../sqlite/2026-11-22-000001_core/up.sql: a test compares the two.

CREATE TABLE regions (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT,
    level TEXT NOT NULL,
    parent_code TEXT REFERENCES regions (code)
);

CREATE TABLE departments (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    uscc TEXT,
    region_code TEXT NOT NULL REFERENCES regions (code),
    level TEXT,
    kind TEXT,
    parent_id BIGINT REFERENCES departments (id),
    consultation TEXT,
    supervision TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX departments_uscc ON departments (uscc);
CREATE UNIQUE INDEX departments_name_region ON departments (name, region_code);
CREATE INDEX departments_region ON departments (region_code);

CREATE TABLE laws (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    short_title TEXT NOT NULL,
    level TEXT NOT NULL,
    issuer TEXT,
    version_date DATE,
    effective_date DATE,
    status TEXT NOT NULL,
    supersedes_id BIGINT REFERENCES laws (id),
    source_path TEXT NOT NULL,
    history TEXT NOT NULL,
    article_count INTEGER NOT NULL,
    imported_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX laws_source_path ON laws (source_path);
CREATE INDEX laws_title ON laws (title);
CREATE INDEX laws_short_title ON laws (short_title);

CREATE TABLE law_articles (
    id BIGSERIAL PRIMARY KEY,
    law_id BIGINT NOT NULL REFERENCES laws (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    number INTEGER NOT NULL,
    sub_number INTEGER NOT NULL,
    label TEXT NOT NULL,
    chapter TEXT,
    section TEXT,
    text TEXT NOT NULL
);
CREATE UNIQUE INDEX law_articles_law_position ON law_articles (law_id, position);
CREATE INDEX law_articles_law_number ON law_articles (law_id, number, sub_number);

CREATE TABLE power_items (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL,
    base_code TEXT,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    parent_code TEXT,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    undertaking_office TEXT,
    power_source TEXT,
    exercise_levels TEXT NOT NULL,
    statutory_days INTEGER,
    promised_days INTEGER,
    time_limit_unit TEXT,
    time_limit_note TEXT,
    fee_charged BOOLEAN,
    fee_basis TEXT,
    fee_standard TEXT,
    consultation TEXT,
    supervision TEXT,
    remarks TEXT,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    effective_from DATE,
    revoked_at TIMESTAMP,
    revoke_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX power_items_code ON power_items (code);
CREATE INDEX power_items_department ON power_items (department_id);
CREATE INDEX power_items_category ON power_items (category);
CREATE INDEX power_items_status ON power_items (status);

CREATE TABLE item_joint_departments (
    id BIGSERIAL PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES power_items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    division TEXT
);
CREATE UNIQUE INDEX item_joint_departments_pos ON item_joint_departments (item_id, position);

CREATE TABLE item_legal_bases (
    id BIGSERIAL PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES power_items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    role TEXT NOT NULL,
    law_title TEXT NOT NULL,
    law_version DATE,
    article_label TEXT,
    article_number INTEGER,
    law_id BIGINT REFERENCES laws (id) ON DELETE SET NULL,
    article_id BIGINT REFERENCES law_articles (id) ON DELETE SET NULL,
    text TEXT
);
CREATE UNIQUE INDEX item_legal_bases_pos ON item_legal_bases (item_id, position);
CREATE INDEX item_legal_bases_law ON item_legal_bases (law_id);
CREATE INDEX item_legal_bases_article ON item_legal_bases (article_id);
CREATE INDEX item_legal_bases_title ON item_legal_bases (law_title);

CREATE TABLE item_workflow_steps (
    id BIGSERIAL PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES power_items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    stage TEXT NOT NULL,
    description TEXT,
    actor TEXT,
    time_limit_days INTEGER
);
CREATE UNIQUE INDEX item_workflow_steps_pos ON item_workflow_steps (item_id, position);

CREATE TABLE item_responsibilities (
    id BIGSERIAL PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES power_items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    stage TEXT NOT NULL,
    duty TEXT NOT NULL,
    basis TEXT
);
CREATE UNIQUE INDEX item_responsibilities_pos ON item_responsibilities (item_id, position);

CREATE TABLE item_accountability (
    id BIGSERIAL PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES power_items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    circumstance TEXT NOT NULL,
    basis TEXT
);
CREATE UNIQUE INDEX item_accountability_pos ON item_accountability (item_id, position);

CREATE TABLE item_discretion (
    id BIGSERIAL PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES power_items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    violation TEXT NOT NULL,
    tier TEXT NOT NULL,
    conditions TEXT,
    sanction TEXT NOT NULL,
    basis TEXT
);
CREATE UNIQUE INDEX item_discretion_pos ON item_discretion (item_id, position);

CREATE TABLE item_exemptions (
    id BIGSERIAL PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES power_items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    conditions TEXT NOT NULL,
    basis TEXT
);
CREATE UNIQUE INDEX item_exemptions_pos ON item_exemptions (item_id, position);

CREATE TABLE item_remedies (
    id BIGSERIAL PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES power_items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    body TEXT,
    time_limit TEXT
);
CREATE UNIQUE INDEX item_remedies_pos ON item_remedies (item_id, position);

CREATE TABLE item_versions (
    id BIGSERIAL PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES power_items (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX item_versions_item_version ON item_versions (item_id, version);

CREATE TABLE duty_entries (
    id BIGSERIAL PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    duty TEXT NOT NULL,
    office TEXT
);
CREATE UNIQUE INDEX duty_entries_pos ON duty_entries (department_id, position);

CREATE TABLE duty_work_items (
    id BIGSERIAL PRIMARY KEY,
    duty_id BIGINT NOT NULL REFERENCES duty_entries (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    item TEXT NOT NULL,
    office TEXT
);
CREATE UNIQUE INDEX duty_work_items_pos ON duty_work_items (duty_id, position);

CREATE TABLE duty_boundaries (
    id BIGSERIAL PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    matter TEXT NOT NULL,
    basis TEXT,
    case_text TEXT
);
CREATE UNIQUE INDEX duty_boundaries_pos ON duty_boundaries (department_id, position);

CREATE TABLE duty_boundary_parties (
    id BIGSERIAL PRIMARY KEY,
    boundary_id BIGINT NOT NULL REFERENCES duty_boundaries (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    department_name TEXT NOT NULL,
    division TEXT NOT NULL
);
CREATE UNIQUE INDEX duty_boundary_parties_pos ON duty_boundary_parties (boundary_id, position);

CREATE TABLE supervision_rules (
    id BIGSERIAL PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    content TEXT NOT NULL,
    basis TEXT
);
CREATE UNIQUE INDEX supervision_rules_pos ON supervision_rules (department_id, position);

CREATE TABLE public_services (
    id BIGSERIAL PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    basis TEXT,
    office TEXT
);
CREATE UNIQUE INDEX public_services_pos ON public_services (department_id, position);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    origin TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    department_id BIGINT,
    details TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_key);

CREATE TABLE outbox (
    seq BIGSERIAL PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    item_id BIGINT NOT NULL,
    item_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    reason TEXT
);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    disabled BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (username);

CREATE TABLE user_departments (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    department_id BIGINT NOT NULL REFERENCES departments (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX user_departments_pair ON user_departments (user_id, department_id);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    token_prefix TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
