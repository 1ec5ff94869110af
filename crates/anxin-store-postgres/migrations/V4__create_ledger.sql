-- The ledger (ARCHITECTURE.md, "The ledger"). Append-only: capture inserts one leaf per newly
-- stored event in the transaction that stores it, holding a transaction-scoped advisory lock
-- from choosing the indexes until commit, so indexes are unique, gap-free and in commit order.
-- Nothing updates or deletes these rows. The SQLite twin has the same file name.

CREATE TABLE ledger_leaf (
    leaf_index bigint PRIMARY KEY,         -- 0, 1, 2, … in commit order, without gaps
    event_seq bigint NOT NULL UNIQUE,      -- the event the leaf names
    hash_id text COLLATE "C" NOT NULL,     -- what the leaf committed to (anxin_ledger::LeafEntry) …
    record_time_ms bigint NOT NULL,
    party_gln text COLLATE "C",
    body_sha256 bytea NOT NULL,            -- … SHA-256 of the event body as stored
    leaf_hash bytea NOT NULL               -- SHA-256(0x00 || entry encoding)
);

-- Signed tree heads, as issued.
CREATE TABLE ledger_head (
    head_id bigserial PRIMARY KEY,
    tree_size bigint NOT NULL,
    root_hash bytea NOT NULL,
    timestamp_ms bigint NOT NULL,
    signature bytea NOT NULL               -- Ed25519 over the checkpoint text (anxin_ledger::head)
);
CREATE INDEX ledger_head_size ON ledger_head (tree_size);
