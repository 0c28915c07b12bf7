-- description: Instance registry: each service process's internal address and heartbeat, so any instance can forward a lease's requests to its holder
-- estimated_duration_ms: 50

-- One row per process (the id its lease ids carry). expires_at is renewed by heartbeat on the
-- database's clock, so machines with skewed clocks agree on who is live. A row past expires_at, or
-- with stopped_at set, is a holder gone: its leases answer 410 LEASE_LOST until the row is dropped
-- (once no lease it granted can still be within its TTL).
CREATE TABLE service_instances (
    instance_id  TEXT PRIMARY KEY,
    internal_url TEXT NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL,
    stopped_at   TIMESTAMPTZ
);
