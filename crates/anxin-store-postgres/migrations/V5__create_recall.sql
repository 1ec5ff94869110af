-- Recalls (ARCHITECTURE.md, "Trace and recall"). Append-only: a recall's later state, if it
-- ever has one, is a new row with the same recall_id; nothing updates or deletes these rows.
-- Parties gain the two master-data attributes a recall groups holders by.
-- The SQLite twin has the same file name.

ALTER TABLE party ADD COLUMN kind text;     -- `partyKind` attribute (manufacturer, distributor, …)
ALTER TABLE party ADD COLUMN contact text;  -- `contact`, `telephone` or `email` attribute

CREATE TABLE recall (
    recall_row bigserial PRIMARY KEY,
    recall_id text COLLATE "C" NOT NULL,
    account_id bigint NOT NULL,
    party_gln text COLLATE "C",
    region text COLLATE "C",
    level smallint NOT NULL,
    reason text NOT NULL,
    scope text NOT NULL,
    decided_ms bigint NOT NULL,
    start_deadline_ms bigint NOT NULL,
    finish_deadline_date text NOT NULL,
    finish_deadline_ms bigint NOT NULL,
    summary text NOT NULL,
    job_id text,
    created_ms bigint NOT NULL
);
CREATE INDEX recall_by_id ON recall (recall_id, recall_row);

-- The recall's directory finds a location's name and region by the GLN inside it.
CREATE INDEX location_gln ON location (gln);
