ALTER TABLE power_items DROP COLUMN withheld_basis;
ALTER TABLE power_items DROP COLUMN withheld_reason;
