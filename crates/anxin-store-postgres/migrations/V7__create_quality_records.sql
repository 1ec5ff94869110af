-- Raw-milk receiving tests and HACCP records (ARCHITECTURE.md, "Raw-milk tests and HACCP records").
-- Append-only: nothing updates or deletes these rows. A control point is registered once per plant.
-- The SQLite twin has the same file name.

CREATE TABLE raw_milk_test (
    test_row bigserial PRIMARY KEY,
    delivery_id text COLLATE "C" NOT NULL,              -- the raw-milk lot's LGTIN URN
    plant_gln text COLLATE "C" NOT NULL,                -- the receiving plant's party GLN
    supplier text NOT NULL,
    received_ms bigint NOT NULL,
    received_date text NOT NULL,            -- YYYY-MM-DD, decides the standards in force
    facts text NOT NULL,                    -- cow,holstein / goat
    analyte text NOT NULL,
    reading text NOT NULL,                  -- value, below_detection, detected, not_detected
    value double precision,
    unit text,
    sample_unit bigint,
    account_id bigint NOT NULL,
    created_ms bigint NOT NULL
);
CREATE INDEX raw_milk_test_by_delivery ON raw_milk_test (delivery_id, test_row);

CREATE TABLE haccp_control_point (
    ccp_row bigserial PRIMARY KEY,
    plant_gln text COLLATE "C" NOT NULL,
    ccp_id text NOT NULL,
    line text NOT NULL,
    step text NOT NULL,
    parameter text NOT NULL,
    unit text NOT NULL,
    min double precision,
    max double precision,
    interval_s bigint,
    created_ms bigint NOT NULL,
    UNIQUE (plant_gln, ccp_id)
);

CREATE TABLE haccp_reading (
    reading_row bigserial PRIMARY KEY,
    plant_gln text COLLATE "C" NOT NULL,
    ccp_id text NOT NULL,
    run text NOT NULL,
    at_ms bigint NOT NULL,
    value double precision NOT NULL,
    account_id bigint NOT NULL,
    created_ms bigint NOT NULL
);
CREATE INDEX haccp_reading_by_ccp ON haccp_reading (plant_gln, ccp_id, run, at_ms);

CREATE TABLE haccp_lot (
    lot_row bigserial PRIMARY KEY,
    plant_gln text COLLATE "C" NOT NULL,
    line text NOT NULL,
    run text NOT NULL,
    lot text NOT NULL,
    start_ms bigint NOT NULL,
    end_ms bigint NOT NULL,
    created_ms bigint NOT NULL
);
CREATE INDEX haccp_lot_by_plant ON haccp_lot (plant_gln, lot_row);

CREATE TABLE haccp_action (
    action_row bigserial PRIMARY KEY,
    plant_gln text COLLATE "C" NOT NULL,
    ccp_id text NOT NULL,
    deviation_start_ms bigint NOT NULL,
    recorded_ms bigint NOT NULL,
    by_name text NOT NULL,
    action text NOT NULL,
    account_id bigint NOT NULL,
    created_ms bigint NOT NULL
);
CREATE INDEX haccp_action_by_plant ON haccp_action (plant_gln, action_row);
