-- The drafts one upload submitted together form a change set, which a reviewer may approve or
-- send back as one (each draft still gets its own version, audit entry and feed row).
ALTER TABLE item_drafts ADD COLUMN change_set TEXT;
CREATE INDEX item_drafts_change_set ON item_drafts (change_set);
