-- Which party may describe a product (GTIN) in master data: the first party that described it
-- (ARCHITECTURE.md, "Master data comes only from its owner"). A row is added by the capture that
-- first describes the GTIN as an enterprise, in that capture's transaction, and is never updated
-- or deleted. Admin captures describe without claiming. Products described before this migration
-- have no owner until a party describes them again. The SQLite twin has the same file name.
-- A small reference table, like location_owner (no distribution key needed under Citus).

CREATE TABLE product_owner (
    gtin text COLLATE "C" PRIMARY KEY,      -- 14 digits
    party_gln text COLLATE "C" NOT NULL,    -- 13 digits
    claimed_ms bigint NOT NULL,             -- the record time of the capture that claimed it
    job_id text NOT NULL                    -- that capture's job
);
CREATE INDEX product_owner_party ON product_owner (party_gln);
