DROP INDEX item_drafts_change_set;
ALTER TABLE item_drafts DROP COLUMN change_set;
