-- A sheet a person uploaded in the workbench and has checked (a dry run), kept until they
-- submit it for review or a day has passed: what is submitted is exactly what was checked,
-- without uploading it again. Only its uploader can read it.
CREATE TABLE sheet_uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    content BLOB NOT NULL,
    department_id BIGINT REFERENCES departments (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX sheet_uploads_user ON sheet_uploads (user_id);
