-- description: Index the unapplied Redis effects of data_outbox by key: a transaction waits only for older effects on its own keys
-- estimated_duration_ms: 200

-- Order is kept per Redis key (a later write on a key never lands before an earlier one on it):
-- the request that committed a transaction looks up the older unapplied entries of its keys only,
-- not every in-flight peer's (which used to count as a backlog under load and send effects to the relay).
CREATE INDEX idx_data_outbox_unapplied_key ON data_outbox ((effect->'command'->>'key'), id)
    WHERE applied_at IS NULL AND kind = 'redis';
