-- Webhook subscriptions to named queries, and the outbox of what is owed to them.

CREATE TABLE subscription (
    subscription_id TEXT PRIMARY KEY,
    query_name TEXT NOT NULL,
    account_id INTEGER NOT NULL,
    dest TEXT NOT NULL,
    signature_token TEXT,                  -- kept in clear: the server signs with it
    created_ms INTEGER NOT NULL
);
CREATE INDEX subscription_query ON subscription (query_name, created_ms);

-- One row per (subscription, capture job), written by the capture's own transaction.
CREATE TABLE subscription_delivery (
    delivery_id INTEGER PRIMARY KEY,
    subscription_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    after_event_seq INTEGER NOT NULL,      -- events of the job up to this one are delivered
    state TEXT NOT NULL,                   -- pending | delivered | abandoned
    n_attempts INTEGER NOT NULL,           -- failures since the last delivered batch
    created_ms INTEGER NOT NULL,
    next_attempt_ms INTEGER NOT NULL,
    last_attempt_ms INTEGER,
    last_error TEXT,
    UNIQUE (subscription_id, job_id)
);
CREATE INDEX subscription_delivery_due ON subscription_delivery (next_attempt_ms)
    WHERE state = 'pending';

-- A delivery reads one job's events.
CREATE INDEX event_job ON event (job_id, event_seq);
