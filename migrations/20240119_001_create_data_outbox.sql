-- description: Create data_outbox: Redis effects and cache invalidations of committed data transactions
-- estimated_duration_ms: 200

-- Written in the same PostgreSQL transaction as the rows, so an effect exists exactly when its
-- transaction committed; applied after the commit, and by the relay when Redis was down then.
CREATE TABLE data_outbox (
    id BIGSERIAL PRIMARY KEY,
    transaction_id VARCHAR(64) NOT NULL,
    -- The operation's 1-based index in its request (0 for the cache invalidation of the transaction).
    seq INTEGER NOT NULL,
    kind VARCHAR(20) NOT NULL CHECK (kind IN ('redis', 'invalidate')),
    effect JSONB NOT NULL,
    -- clock_timestamp, not now(): the relay's grace period counts from the write, not from BEGIN.
    created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    applied_at TIMESTAMPTZ,
    -- Redis refused the operation itself (INCR on a word): done, never retried, reason kept.
    error TEXT,
    UNIQUE (transaction_id, seq)
);
-- What the relay and the request path scan: the unapplied entries, in id order.
CREATE INDEX idx_data_outbox_unapplied ON data_outbox (id) WHERE applied_at IS NULL;
-- The daily purge of applied entries.
CREATE INDEX idx_data_outbox_applied_at ON data_outbox (applied_at) WHERE applied_at IS NOT NULL;
