-- The ledger (ARCHITECTURE.md, "The ledger"). Append-only: capture inserts one leaf per newly
-- stored event in the transaction that stores it; nothing updates or deletes these rows.
-- The PostgreSQL twin has the same file name.

CREATE TABLE ledger_leaf (
    leaf_index INTEGER PRIMARY KEY,        -- 0, 1, 2, … in commit order, without gaps
    event_seq INTEGER NOT NULL UNIQUE,     -- the event the leaf names
    hash_id TEXT NOT NULL,                 -- what the leaf committed to (anxin_ledger::LeafEntry) …
    record_time_ms INTEGER NOT NULL,
    party_gln TEXT,
    body_sha256 BLOB NOT NULL,             -- … SHA-256 of the event body as stored
    leaf_hash BLOB NOT NULL                -- SHA-256(0x00 || entry encoding)
);

-- Signed tree heads, as issued.
CREATE TABLE ledger_head (
    head_id INTEGER PRIMARY KEY,
    tree_size INTEGER NOT NULL,
    root_hash BLOB NOT NULL,
    timestamp_ms INTEGER NOT NULL,
    signature BLOB NOT NULL                -- Ed25519 over the checkpoint text (anxin_ledger::head)
);
CREATE INDEX ledger_head_size ON ledger_head (tree_size);
