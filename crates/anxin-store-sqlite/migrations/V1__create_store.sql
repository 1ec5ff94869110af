-- Anxin store, SQLite dialect. The PostgreSQL twin has the same file name; see ARCHITECTURE.md.
-- Times are INTEGER Unix milliseconds in both dialects so the query SQL is shared.

CREATE TABLE store_key (
    key_id INTEGER PRIMARY KEY CHECK (key_id = 1),
    page_token_key BLOB NOT NULL           -- HMAC key for page tokens, made on first open
);

CREATE TABLE account (
    account_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    party_gln TEXT,
    region TEXT,
    token_hash BLOB NOT NULL UNIQUE,       -- SHA-256 of the token; the token is never stored
    created_ms INTEGER NOT NULL,
    revoked_ms INTEGER                     -- set once; accounts are not captured records
);

CREATE TABLE location_owner (
    gln TEXT PRIMARY KEY,
    party_gln TEXT NOT NULL
);
CREATE INDEX location_owner_party ON location_owner (party_gln);

CREATE TABLE capture_job (
    job_id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL,
    state TEXT NOT NULL,
    error_behaviour TEXT NOT NULL,
    source TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    finished_ms INTEGER,
    n_events INTEGER NOT NULL DEFAULT 0,
    n_stored INTEGER NOT NULL DEFAULT 0,
    n_duplicates INTEGER NOT NULL DEFAULT 0,
    n_rejected INTEGER NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '[]'      -- JSON array of sentences
);
CREATE INDEX capture_job_account ON capture_job (account_id, created_ms);
CREATE INDEX capture_job_running ON capture_job (state) WHERE state = 'running';

-- Append-only: rows are inserted by capture and never updated or deleted.
CREATE TABLE event (
    event_seq INTEGER PRIMARY KEY,         -- rowid: insertion order, the tie-breaker of every sort
    record_key TEXT NOT NULL UNIQUE,       -- hash ID (+ declaration time for an error declaration): stored once
    hash_id TEXT NOT NULL,                 -- CBV 2.0 hash ID
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    event_time_ms INTEGER NOT NULL,
    record_time_ms INTEGER NOT NULL,
    action TEXT,
    biz_step TEXT,
    disposition TEXT,
    read_point TEXT,                       -- canonical Digital Link when a GS1 key
    biz_location TEXT,
    has_error_declaration INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    party_gln TEXT,                        -- the capturing party, for access
    job_id TEXT NOT NULL,
    body TEXT NOT NULL                     -- the event as JSON-LD, served back as stored
);
CREATE INDEX event_hash_id ON event (hash_id);
CREATE INDEX event_event_id ON event (event_id);
CREATE INDEX event_event_time ON event (event_time_ms, event_seq);
CREATE INDEX event_record_time ON event (record_time_ms, event_seq);
CREATE INDEX event_biz_step ON event (biz_step);
CREATE INDEX event_biz_location ON event (biz_location);
CREATE INDEX event_read_point ON event (read_point);
CREATE INDEX event_party ON event (party_gln);

CREATE TABLE event_epc (
    event_seq INTEGER NOT NULL,
    record_time_ms INTEGER NOT NULL,
    role TEXT NOT NULL,                    -- epc | parent | child | input | output
    epc TEXT NOT NULL                      -- canonical Digital Link (or the URI as written)
);
CREATE INDEX event_epc_epc ON event_epc (epc, role);
CREATE INDEX event_epc_event ON event_epc (event_seq);

CREATE TABLE event_class (
    event_seq INTEGER NOT NULL,
    record_time_ms INTEGER NOT NULL,
    role TEXT NOT NULL,                    -- quantity | child | input | output
    class TEXT NOT NULL,
    quantity REAL,
    uom TEXT
);
CREATE INDEX event_class_class ON event_class (class, role);
CREATE INDEX event_class_event ON event_class (event_seq);

CREATE TABLE event_place (
    event_seq INTEGER NOT NULL,
    record_time_ms INTEGER NOT NULL,
    role TEXT NOT NULL,                    -- read_point | biz_location | source | destination
    kind TEXT NOT NULL,                    -- source/destination type, '' otherwise
    place TEXT NOT NULL,
    gln TEXT
);
CREATE INDEX event_place_place ON event_place (place, role);
CREATE INDEX event_place_gln ON event_place (gln);
CREATE INDEX event_place_event ON event_place (event_seq);

CREATE TABLE event_attr (
    event_seq INTEGER NOT NULL,
    record_time_ms INTEGER NOT NULL,
    name TEXT NOT NULL,                    -- bizTransaction:{type} | persistentDisposition:{set|unset} | ext:{iri}
    value TEXT NOT NULL
);
CREATE INDEX event_attr_name_value ON event_attr (name, value);

-- Master data: the latest description of each thing wins (it describes, it does not record).
CREATE TABLE location (
    location_id TEXT PRIMARY KEY,
    written_id TEXT NOT NULL,
    gln TEXT,
    name TEXT,
    address TEXT,
    region TEXT,                           -- GB/T 2260 code
    updated_ms INTEGER NOT NULL
);
CREATE INDEX location_region ON location (region);

CREATE TABLE location_child (
    parent_id TEXT NOT NULL,
    child_id TEXT NOT NULL,
    PRIMARY KEY (parent_id, child_id)
);

CREATE TABLE party (
    party_id TEXT PRIMARY KEY,
    gln TEXT,
    name TEXT,
    address TEXT,
    region TEXT,
    updated_ms INTEGER NOT NULL
);

CREATE TABLE product (
    product_id TEXT PRIMARY KEY,
    gtin TEXT,
    brand TEXT,
    name TEXT,
    stage TEXT,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX product_gtin ON product (gtin);

CREATE TABLE namespace_prefix (
    prefix TEXT NOT NULL,
    iri TEXT NOT NULL,
    PRIMARY KEY (prefix, iri)
);

CREATE TABLE named_query (
    name TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL,
    params TEXT NOT NULL,                  -- JSON array of [name, value]
    created_ms INTEGER NOT NULL
);

-- Append-only: every read of enterprise records by a regulator.
CREATE TABLE access_log (
    log_seq INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    read_ms INTEGER NOT NULL,
    request TEXT NOT NULL,
    hash_ids TEXT NOT NULL                 -- JSON array
);
CREATE INDEX access_log_account ON access_log (account_id, read_ms);
