-- The food production licence a location declares and the infant-formula recipe registration a
-- product declares, from master data (ARCHITECTURE.md, "Master data"). Values are kept only when
-- of the right shape (SC + 14 digits; 国食注字YP + 8 digits); NULL when none was declared.
-- Written like the other master-data columns: a later declaration of the same id replaces the
-- value, an absent one leaves it. The PostgreSQL twin has the same file name.

ALTER TABLE location ADD COLUMN production_licence TEXT;
ALTER TABLE product ADD COLUMN formula_registration TEXT;
