-- Which party may describe a product (GTIN) in master data: the first party that described it
-- (ARCHITECTURE.md, "Master data comes only from its owner"). A row is added by the capture that
-- first describes the GTIN as an enterprise, in that capture's transaction, and is never updated
-- or deleted. Admin captures describe without claiming. Products described before this migration
-- have no owner until a party describes them again. The PostgreSQL twin has the same file name.

CREATE TABLE product_owner (
    gtin TEXT PRIMARY KEY,          -- 14 digits
    party_gln TEXT NOT NULL,        -- 13 digits
    claimed_ms INTEGER NOT NULL,    -- the record time of the capture that claimed it
    job_id TEXT NOT NULL            -- that capture's job
);
CREATE INDEX product_owner_party ON product_owner (party_gln);
