-- 不予公开: an approved item a department keeps in the registry but may not publish, with the
-- legal reason (国家秘密, 商业秘密, 个人隐私, 其他法律法规规定) and its basis. Its status is
-- 'withheld'; it is counted publicly by reason and appears nowhere else in public.
ALTER TABLE power_items ADD COLUMN withheld_reason TEXT;
ALTER TABLE power_items ADD COLUMN withheld_basis TEXT;
