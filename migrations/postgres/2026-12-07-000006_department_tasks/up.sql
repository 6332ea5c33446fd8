-- A department's task list (工作任务清单): the tasks of its work plan, each with a responsible
-- unit and a deadline as written (a date, 2024年底前, 长期推进) and as read (due_date; NULL and
-- ongoing for 长期推进), progress notes and a status. Replaced as a whole by an import.
CREATE TABLE department_tasks (
    id BIGSERIAL PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    position INTEGER NOT NULL,
    task TEXT NOT NULL,
    responsible_unit TEXT NOT NULL,
    deadline_text TEXT NOT NULL,
    due_date DATE,
    ongoing BOOLEAN NOT NULL,
    progress TEXT,
    status TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX department_tasks_department ON department_tasks (department_id, position);
