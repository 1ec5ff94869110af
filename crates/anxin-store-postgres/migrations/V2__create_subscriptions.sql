-- Webhook subscriptions to named queries, and the outbox of what is owed to them.

CREATE TABLE subscription (
    subscription_id text PRIMARY KEY,
    query_name text NOT NULL,
    account_id bigint NOT NULL,
    dest text NOT NULL,
    signature_token text,                  -- kept in clear: the server signs with it
    created_ms bigint NOT NULL
);
CREATE INDEX subscription_query ON subscription (query_name, created_ms);

-- One row per (subscription, capture job), written by the capture's own transaction.
CREATE TABLE subscription_delivery (
    delivery_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id text NOT NULL,
    job_id text NOT NULL,
    after_event_seq bigint NOT NULL,       -- events of the job up to this one are delivered
    state text NOT NULL,                   -- pending | delivered | abandoned
    n_attempts integer NOT NULL,           -- failures since the last delivered batch
    created_ms bigint NOT NULL,
    next_attempt_ms bigint NOT NULL,
    last_attempt_ms bigint,
    last_error text,
    UNIQUE (subscription_id, job_id)
);
CREATE INDEX subscription_delivery_due ON subscription_delivery (next_attempt_ms)
    WHERE state = 'pending';

-- A delivery reads one job's events (an index on the partitioned parent covers every month).
CREATE INDEX event_job ON event (job_id, event_seq);
