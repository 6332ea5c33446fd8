DROP TABLE item_review_flags;
