-- What citizens say about a power as it is exercised (issue 17): 评价 (a score of 1–5 for the
-- item or one step of its workflow, with an optional comment), 投诉 (a complaint about how the
-- power was exercised) and 纠错 (the list itself is wrong). No account: the receipt number is
-- how the submitter follows it. The contact is the department's to read, never published.
-- Complaints and corrections are due for an answer by due_at (working days after submission).
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    receipt TEXT NOT NULL UNIQUE,
    item_id BIGINT NOT NULL REFERENCES power_items (id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    kind TEXT NOT NULL,
    step TEXT,
    score INTEGER,
    body TEXT,
    contact TEXT,
    status TEXT NOT NULL,
    due_at TIMESTAMP,
    answer TEXT,
    outcome TEXT,
    answered_by TEXT,
    answered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    -- The form question it answered: each question is good for one submission.
    question_nonce TEXT
);
CREATE INDEX feedback_item ON feedback (item_id, created_at);
CREATE INDEX feedback_department ON feedback (department_id, status);
CREATE UNIQUE INDEX feedback_question_nonce ON feedback (question_nonce);

-- Secrets the servers of one registry share (the key that signs the question on the public
-- feedback form): made once, by whichever server needs it first.
CREATE TABLE site_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    secret TEXT NOT NULL
);
