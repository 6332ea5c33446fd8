-- The large texts (item version snapshots, quoted article texts, drafts) are compressed with
-- lz4 instead of the default pglz when PostgreSQL stores them out of line: pglz was a fifth of
-- the server's time in a bulk import, lz4 a small part of that, at about the same size. A
-- server built without lz4 keeps pglz, and so does PostgreSQL 13 or older (no SET COMPRESSION).
DO $$
BEGIN
    ALTER TABLE item_versions ALTER COLUMN snapshot SET COMPRESSION lz4;
    ALTER TABLE item_legal_bases ALTER COLUMN text SET COMPRESSION lz4;
    ALTER TABLE law_articles ALTER COLUMN text SET COMPRESSION lz4;
    ALTER TABLE item_drafts ALTER COLUMN record SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    RAISE NOTICE 'lz4 is not available: large texts stay compressed with pglz';
END
$$;
