-- Raw-milk receiving tests and HACCP records (ARCHITECTURE.md, "Raw-milk tests and HACCP records").
-- Append-only: nothing updates or deletes these rows. A control point is registered once per plant.
-- The PostgreSQL twin has the same file name.

CREATE TABLE raw_milk_test (
    test_row INTEGER PRIMARY KEY,
    delivery_id TEXT NOT NULL,              -- the raw-milk lot's LGTIN URN
    plant_gln TEXT NOT NULL,                -- the receiving plant's party GLN
    supplier TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    received_date TEXT NOT NULL,            -- YYYY-MM-DD, decides the standards in force
    facts TEXT NOT NULL,                    -- cow,holstein / goat
    analyte TEXT NOT NULL,
    reading TEXT NOT NULL,                  -- value, below_detection, detected, not_detected
    value REAL,
    unit TEXT,
    sample_unit INTEGER,
    account_id INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX raw_milk_test_by_delivery ON raw_milk_test (delivery_id, test_row);

CREATE TABLE haccp_control_point (
    ccp_row INTEGER PRIMARY KEY,
    plant_gln TEXT NOT NULL,
    ccp_id TEXT NOT NULL,
    line TEXT NOT NULL,
    step TEXT NOT NULL,
    parameter TEXT NOT NULL,
    unit TEXT NOT NULL,
    min REAL,
    max REAL,
    interval_s INTEGER,
    created_ms INTEGER NOT NULL,
    UNIQUE (plant_gln, ccp_id)
);

CREATE TABLE haccp_reading (
    reading_row INTEGER PRIMARY KEY,
    plant_gln TEXT NOT NULL,
    ccp_id TEXT NOT NULL,
    run TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    value REAL NOT NULL,
    account_id INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX haccp_reading_by_ccp ON haccp_reading (plant_gln, ccp_id, run, at_ms);

CREATE TABLE haccp_lot (
    lot_row INTEGER PRIMARY KEY,
    plant_gln TEXT NOT NULL,
    line TEXT NOT NULL,
    run TEXT NOT NULL,
    lot TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX haccp_lot_by_plant ON haccp_lot (plant_gln, lot_row);

CREATE TABLE haccp_action (
    action_row INTEGER PRIMARY KEY,
    plant_gln TEXT NOT NULL,
    ccp_id TEXT NOT NULL,
    deviation_start_ms INTEGER NOT NULL,
    recorded_ms INTEGER NOT NULL,
    by_name TEXT NOT NULL,
    action TEXT NOT NULL,
    account_id INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX haccp_action_by_plant ON haccp_action (plant_gln, action_row);
