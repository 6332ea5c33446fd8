-- Sign-in for people (the workbench): a password per user, Argon2id in its PHC string form,
-- and server-side sessions. A session's secret lives only in the person's cookie; the row
-- keeps its SHA-256, so neither a database copy nor the audit log can sign anyone in.
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN password_changed_at TIMESTAMP;

CREATE TABLE user_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    origin TEXT NOT NULL,
    user_agent TEXT
);
CREATE UNIQUE INDEX user_sessions_secret ON user_sessions (secret_hash);
CREATE INDEX user_sessions_user ON user_sessions (user_id, revoked_at);
