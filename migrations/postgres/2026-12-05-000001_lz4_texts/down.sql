ALTER TABLE item_versions ALTER COLUMN snapshot SET COMPRESSION default;
ALTER TABLE item_legal_bases ALTER COLUMN text SET COMPRESSION default;
ALTER TABLE law_articles ALTER COLUMN text SET COMPRESSION default;
ALTER TABLE item_drafts ALTER COLUMN record SET COMPRESSION default;
