-- Anxin store, PostgreSQL dialect. The SQLite twin has the same file name; ARCHITECTURE.md
-- ("The store at national scale") gives the reasoning. Times are bigint Unix milliseconds
-- in both dialects so the query SQL is shared. Identifier columns are COLLATE "C" so one
-- b-tree index serves both equality and the LIKE prefixes of EPC id patterns.
-- Distribution (Citus): event and its index tables by event_seq (co-located), event_key by
-- record_key, the small tables as reference tables. No foreign keys on the hot tables.

CREATE TABLE store_key (
    key_id integer PRIMARY KEY CHECK (key_id = 1),
    page_token_key bytea NOT NULL
);

CREATE TABLE account (
    account_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    role text NOT NULL,
    party_gln text,
    region text,
    token_hash bytea NOT NULL UNIQUE,      -- SHA-256 of the token; the token is never stored
    created_ms bigint NOT NULL,
    revoked_ms bigint
);

CREATE TABLE location_owner (
    gln text COLLATE "C" PRIMARY KEY,
    party_gln text COLLATE "C" NOT NULL
);
CREATE INDEX location_owner_party ON location_owner (party_gln);

CREATE TABLE capture_job (
    job_id text PRIMARY KEY,
    account_id bigint NOT NULL,
    state text NOT NULL,
    error_behaviour text NOT NULL,
    source text NOT NULL,
    created_ms bigint NOT NULL,
    finished_ms bigint,
    n_events bigint NOT NULL DEFAULT 0,
    n_stored bigint NOT NULL DEFAULT 0,
    n_duplicates bigint NOT NULL DEFAULT 0,
    n_rejected bigint NOT NULL DEFAULT 0,
    errors text NOT NULL DEFAULT '[]'
);
CREATE INDEX capture_job_account ON capture_job (account_id, created_ms);
CREATE INDEX capture_job_running ON capture_job (state) WHERE state = 'running';

CREATE SEQUENCE event_seq AS bigint;

-- The de-duplication guard: one row per record key (the hash ID, plus the declaration time
-- for an error declaration), whatever month the event was recorded in. A unique index on the
-- partitioned event table would have to include record_time_ms and so could not say "this
-- event was already stored last year"; this table can.
CREATE TABLE event_key (
    record_key text COLLATE "C" PRIMARY KEY,
    event_seq bigint NOT NULL,
    record_time_ms bigint NOT NULL
);

-- Append-only, partitioned by month of record time (the server's clock): writes go to the
-- newest partition only, old months are read-only and can be detached or moved to cheaper storage.
CREATE TABLE event (
    event_seq bigint NOT NULL,
    hash_id text COLLATE "C" NOT NULL,
    event_id text COLLATE "C" NOT NULL,
    event_type text NOT NULL,
    event_time_ms bigint NOT NULL,
    record_time_ms bigint NOT NULL,
    action text,
    biz_step text,
    disposition text,
    read_point text COLLATE "C",
    biz_location text COLLATE "C",
    has_error_declaration smallint NOT NULL,
    account_id bigint NOT NULL,
    party_gln text COLLATE "C",
    job_id text NOT NULL,
    body text NOT NULL,                    -- the event as JSON-LD, served back as stored
    PRIMARY KEY (event_seq, record_time_ms)
) PARTITION BY RANGE (record_time_ms);
CREATE INDEX event_hash_id ON event (hash_id);
CREATE INDEX event_event_id ON event (event_id);
CREATE INDEX event_event_time ON event (event_time_ms, event_seq);
CREATE INDEX event_record_time ON event (record_time_ms, event_seq);
CREATE INDEX event_biz_step ON event (biz_step);
CREATE INDEX event_biz_location ON event (biz_location);
CREATE INDEX event_read_point ON event (read_point);
CREATE INDEX event_party ON event (party_gln);

CREATE TABLE event_epc (
    event_seq bigint NOT NULL,
    record_time_ms bigint NOT NULL,
    role text NOT NULL,
    epc text COLLATE "C" NOT NULL
) PARTITION BY RANGE (record_time_ms);
CREATE INDEX event_epc_epc ON event_epc (epc, role);
CREATE INDEX event_epc_event ON event_epc (event_seq);

CREATE TABLE event_class (
    event_seq bigint NOT NULL,
    record_time_ms bigint NOT NULL,
    role text NOT NULL,
    class text COLLATE "C" NOT NULL,
    quantity double precision,
    uom text
) PARTITION BY RANGE (record_time_ms);
CREATE INDEX event_class_class ON event_class (class, role);
CREATE INDEX event_class_event ON event_class (event_seq);

CREATE TABLE event_place (
    event_seq bigint NOT NULL,
    record_time_ms bigint NOT NULL,
    role text NOT NULL,
    kind text NOT NULL,
    place text COLLATE "C" NOT NULL,
    gln text COLLATE "C"
) PARTITION BY RANGE (record_time_ms);
CREATE INDEX event_place_place ON event_place (place, role);
CREATE INDEX event_place_gln ON event_place (gln);
CREATE INDEX event_place_event ON event_place (event_seq);

CREATE TABLE event_attr (
    event_seq bigint NOT NULL,
    record_time_ms bigint NOT NULL,
    name text COLLATE "C" NOT NULL,
    value text COLLATE "C" NOT NULL
) PARTITION BY RANGE (record_time_ms);
CREATE INDEX event_attr_name_value ON event_attr (name, value);

-- A safety net: rows whose month partition does not exist yet land here instead of failing.
CREATE TABLE event_default PARTITION OF event DEFAULT;
CREATE TABLE event_epc_default PARTITION OF event_epc DEFAULT;
CREATE TABLE event_class_default PARTITION OF event_class DEFAULT;
CREATE TABLE event_place_default PARTITION OF event_place DEFAULT;
CREATE TABLE event_attr_default PARTITION OF event_attr DEFAULT;

-- Creates the month partitions of every event table for the month starting at month_start_ms
-- (UTC); called before a capture's transaction. Concurrent callers are harmless.
CREATE FUNCTION anxin_ensure_month(month_start_ms bigint, month_end_ms bigint, suffix text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    parent text;
BEGIN
    FOREACH parent IN ARRAY ARRAY['event', 'event_epc', 'event_class', 'event_place', 'event_attr'] LOOP
        IF to_regclass(parent || '_' || suffix) IS NULL THEN
            BEGIN
                EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)',
                               parent || '_' || suffix, parent, month_start_ms, month_end_ms);
            EXCEPTION WHEN duplicate_table THEN
                NULL;
            END;
        END IF;
    END LOOP;
END;
$$;

CREATE TABLE location (
    location_id text COLLATE "C" PRIMARY KEY,
    written_id text NOT NULL,
    gln text COLLATE "C",
    name text,
    address text,
    region text COLLATE "C",
    updated_ms bigint NOT NULL
);
CREATE INDEX location_region ON location (region);

CREATE TABLE location_child (
    parent_id text COLLATE "C" NOT NULL,
    child_id text COLLATE "C" NOT NULL,
    PRIMARY KEY (parent_id, child_id)
);

CREATE TABLE party (
    party_id text COLLATE "C" PRIMARY KEY,
    gln text COLLATE "C",
    name text,
    address text,
    region text,
    updated_ms bigint NOT NULL
);

CREATE TABLE product (
    product_id text COLLATE "C" PRIMARY KEY,
    gtin text COLLATE "C",
    brand text,
    name text,
    stage text,
    updated_ms bigint NOT NULL
);
CREATE INDEX product_gtin ON product (gtin);

CREATE TABLE namespace_prefix (
    prefix text NOT NULL,
    iri text NOT NULL,
    PRIMARY KEY (prefix, iri)
);

CREATE TABLE named_query (
    name text PRIMARY KEY,
    account_id bigint NOT NULL,
    params text NOT NULL,
    created_ms bigint NOT NULL
);

CREATE TABLE access_log (
    log_seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL,
    read_ms bigint NOT NULL,
    request text NOT NULL,
    hash_ids text NOT NULL
);
CREATE INDEX access_log_account ON access_log (account_id, read_ms);
