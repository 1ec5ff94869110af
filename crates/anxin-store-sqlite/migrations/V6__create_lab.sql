-- Lab results, committed enterprise standards and batch releases (ARCHITECTURE.md, "Lab
-- results and batch release"). Append-only: nothing updates or deletes these rows. A retest
-- is a new lab_result whose `supersedes` names the result it replaces; at most one result
-- supersedes another (the unique index). The PostgreSQL twin has the same file name.

CREATE TABLE lab_result (
    result_id INTEGER PRIMARY KEY,
    sample_of TEXT NOT NULL,               -- lot | raw_milk_delivery | sampling_task
    subject TEXT NOT NULL,                 -- canonical LGTIN Digital Link, or the task's ID
    sample_id TEXT NOT NULL,
    analyte TEXT NOT NULL,                 -- anxin_quality's analyte ID
    value TEXT NOT NULL,                   -- as written: number, <LOD, detected, not detected
    unit TEXT NOT NULL,                    -- '' for presence tests
    sample_unit INTEGER,                   -- a plan's sample unit (1…n)
    method TEXT NOT NULL,
    laboratory TEXT NOT NULL,
    analyst TEXT NOT NULL,
    tested_ms INTEGER NOT NULL,
    supersedes INTEGER,                    -- the result this retest replaces
    account_id INTEGER NOT NULL,           -- who submitted it
    party_gln TEXT,
    submitted_ms INTEGER NOT NULL
);
CREATE INDEX lab_result_subject ON lab_result (subject, sample_of, result_id);
CREATE UNIQUE INDEX lab_result_supersedes ON lab_result (supersedes) WHERE supersedes IS NOT NULL;

CREATE TABLE committed_standard (
    standard_id INTEGER PRIMARY KEY,
    party_gln TEXT NOT NULL,
    gtin TEXT NOT NULL,                    -- GTIN-14
    code TEXT NOT NULL,
    text TEXT NOT NULL,                    -- the reviewed TOML
    account_id INTEGER NOT NULL,
    committed_ms INTEGER NOT NULL
);
CREATE INDEX committed_standard_gtin ON committed_standard (gtin, standard_id);

CREATE TABLE lot_release (
    release_id INTEGER PRIMARY KEY,
    lot TEXT NOT NULL,                     -- canonical LGTIN Digital Link
    account_id INTEGER NOT NULL,
    party_gln TEXT,
    released_ms INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    judgment TEXT NOT NULL,                -- JSON: every check with rule and source
    result_ids TEXT NOT NULL,              -- JSON array of lab_result IDs
    standard_id INTEGER,                   -- the committed enterprise standard applied
    event_id TEXT NOT NULL,                -- the captured inspecting event
    job_id TEXT NOT NULL
);
CREATE INDEX lot_release_lot ON lot_release (lot, release_id);
