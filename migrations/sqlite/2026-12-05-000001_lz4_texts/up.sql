-- PostgreSQL only (choice of TOAST compression); SQLite stores texts as given. Kept so both
-- dialects have the same migrations.
SELECT 1;
