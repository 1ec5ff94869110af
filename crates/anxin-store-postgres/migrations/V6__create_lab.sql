-- Lab results, committed enterprise standards and batch releases (ARCHITECTURE.md, "Lab
-- results and batch release"). Append-only: nothing updates or deletes these rows. A retest
-- is a new lab_result whose `supersedes` names the result it replaces; at most one result
-- supersedes another (the unique index). The SQLite twin has the same file name.

CREATE TABLE lab_result (
    result_id bigserial PRIMARY KEY,
    sample_of text NOT NULL,               -- lot | raw_milk_delivery | sampling_task
    subject text COLLATE "C" NOT NULL,                 -- canonical LGTIN Digital Link, or the task's ID
    sample_id text NOT NULL,
    analyte text NOT NULL,                 -- anxin_quality's analyte ID
    value text NOT NULL,                   -- as written: number, <LOD, detected, not detected
    unit text NOT NULL,                    -- '' for presence tests
    sample_unit integer,                   -- a plan's sample unit (1…n)
    method text NOT NULL,
    laboratory text NOT NULL,
    analyst text NOT NULL,
    tested_ms bigint NOT NULL,
    supersedes bigint,                    -- the result this retest replaces
    account_id bigint NOT NULL,           -- who submitted it
    party_gln text,
    submitted_ms bigint NOT NULL
);
CREATE INDEX lab_result_subject ON lab_result (subject, sample_of, result_id);
CREATE UNIQUE INDEX lab_result_supersedes ON lab_result (supersedes) WHERE supersedes IS NOT NULL;

CREATE TABLE committed_standard (
    standard_id bigserial PRIMARY KEY,
    party_gln text NOT NULL,
    gtin text COLLATE "C" NOT NULL,                    -- GTIN-14
    code text NOT NULL,
    text text NOT NULL,                    -- the reviewed TOML
    account_id bigint NOT NULL,
    committed_ms bigint NOT NULL
);
CREATE INDEX committed_standard_gtin ON committed_standard (gtin, standard_id);

CREATE TABLE lot_release (
    release_id bigserial PRIMARY KEY,
    lot text COLLATE "C" NOT NULL,                     -- canonical LGTIN Digital Link
    account_id bigint NOT NULL,
    party_gln text,
    released_ms bigint NOT NULL,
    verdict text NOT NULL,
    judgment text NOT NULL,                -- JSON: every check with rule and source
    result_ids text NOT NULL,              -- JSON array of lab_result IDs
    standard_id bigint,                   -- the committed enterprise standard applied
    event_id text NOT NULL,                -- the captured inspecting event
    job_id text NOT NULL
);
CREATE INDEX lot_release_lot ON lot_release (lot, release_id);
