-- Recalls (ARCHITECTURE.md, "Trace and recall"). Append-only: a recall's later state, if it
-- ever has one, is a new row with the same recall_id; nothing updates or deletes these rows.
-- Parties gain the two master-data attributes a recall groups holders by.
-- The PostgreSQL twin has the same file name.

ALTER TABLE party ADD COLUMN kind TEXT;     -- `partyKind` attribute (manufacturer, distributor, …)
ALTER TABLE party ADD COLUMN contact TEXT;  -- `contact`, `telephone` or `email` attribute

CREATE TABLE recall (
    recall_row INTEGER PRIMARY KEY,
    recall_id TEXT NOT NULL,
    account_id INTEGER NOT NULL,           -- who opened it
    party_gln TEXT,                        -- the opener's party (a manufacturer), if any
    region TEXT,                           -- the opener's region or jurisdiction, if any
    level INTEGER NOT NULL,                -- 1 一级, 2 二级, 3 三级
    reason TEXT NOT NULL,
    scope TEXT NOT NULL,                   -- where it starts, JSON (anxin_trace::RecallScope)
    decided_ms INTEGER NOT NULL,
    start_deadline_ms INTEGER NOT NULL,
    finish_deadline_date TEXT NOT NULL,
    finish_deadline_ms INTEGER NOT NULL,
    summary TEXT NOT NULL,                 -- counts per kind and channel, lots, not found, JSON
    job_id TEXT,                           -- the capture job of its EPCIS events
    created_ms INTEGER NOT NULL
);
CREATE INDEX recall_by_id ON recall (recall_id, recall_row);

-- The recall's directory finds a location's name and region by the GLN inside it.
CREATE INDEX location_gln ON location (gln);
