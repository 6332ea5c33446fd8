DROP TABLE department_tasks;
