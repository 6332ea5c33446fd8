-- An item that needs review because a law it cites changed: a newer version superseded the
-- version it cites, or the law was repealed. Open while cleared_at is null; a revised version
-- of the item, approved, clears it. articles is a JSON list of the cited articles with
-- whether their text changed in the new version ({"article": "第十条", "change": "changed"}).
CREATE TABLE item_review_flags (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    item_id BIGINT NOT NULL REFERENCES power_items (id),
    law_id BIGINT REFERENCES laws (id),
    reason TEXT NOT NULL,
    articles TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    cleared_at TIMESTAMP
);
CREATE INDEX item_review_flags_item ON item_review_flags (item_id, cleared_at);
