-- description: Audit trail: append-only, hash-chained audit_log, its chain anchor and the append function
-- estimated_duration_ms: 100

-- One row per recorded action, inserted inside the transaction of the change it records (so it
-- exists exactly when that change committed). No value of a data column, no secret, ever lands here.
--
-- The hash chain is computed afterwards by one chainer at a time (src/adapters/postgres/pg-audit-log.ts,
-- an advisory lock): it takes the committed entries not yet chained, in id order, gives each the next
-- chain_seq and hash = sha256(prev_hash || chain_seq || '|' || id || '|' || canonical form). Chaining
-- at insert time would serialize every audited transaction up to its COMMIT's WAL flush (measured:
-- docs/benchmarks.md, "Audit (issue 11)").
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    occurred_at TIMESTAMPTZ NOT NULL,
    actor_sub TEXT,
    actor_role TEXT,
    actor_service TEXT,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT,
    request_id TEXT,
    client_ip TEXT,
    user_agent TEXT,
    outcome TEXT NOT NULL,
    details JSONB NOT NULL DEFAULT '{}'::jsonb,
    chain_seq BIGINT UNIQUE,
    prev_hash CHAR(64),
    hash CHAR(64),
    CHECK ((chain_seq IS NULL) = (hash IS NULL) AND (hash IS NULL) = (prev_hash IS NULL))
);
CREATE INDEX idx_audit_log_unchained ON audit_log (id) WHERE chain_seq IS NULL;
CREATE INDEX idx_audit_log_occurred_at ON audit_log (occurred_at);
CREATE INDEX idx_audit_log_actor ON audit_log (actor_sub, id DESC);
-- No index on action alone: it is filtered with an actor, a target or a period (each indexed); one
-- index fewer on every audited write.
CREATE INDEX idx_audit_log_target ON audit_log (target_id, id DESC);

-- Where the chain starts: genesis (seq 0, zero hash), moved by the retention job to the last purged
-- entry, in the same transaction as the purge, so verify can check the first remaining link.
CREATE TABLE audit_chain_anchor (
    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    last_seq BIGINT NOT NULL,
    last_hash CHAR(64) NOT NULL,
    moved_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
INSERT INTO audit_chain_anchor (last_seq, last_hash) VALUES (0, repeat('0', 64));

-- Append-only: UPDATE and DELETE are refused unless the retention job asked for them in its own
-- transaction (SET LOCAL vb.audit_retention = 'on') AND runs as a role that owns the table. Any role
-- can set a custom setting, so the setting alone would not keep out vb_sql_reader: the owner check does
-- (and restricted SQL runs read-only, without any grant on these tables, anyway). TRUNCATE too.
CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    owner_role OID;
    chain_columns CONSTANT TEXT[] := ARRAY['chain_seq', 'prev_hash', 'hash'];
BEGIN
    SELECT relowner INTO owner_role FROM pg_class WHERE oid = TG_RELID;
    -- The chainer's one write: linking an unchained entry, every other column unchanged.
    -- (Nested: plpgsql does not promise to stop at the table check before reading OLD's columns.)
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'audit_log' THEN
        IF to_jsonb(OLD)->'chain_seq' = 'null'::jsonb AND to_jsonb(NEW)->'chain_seq' <> 'null'::jsonb
           AND (to_jsonb(OLD) - chain_columns) = (to_jsonb(NEW) - chain_columns) THEN
            RETURN NEW;
        END IF;
    END IF;
    IF TG_OP <> 'TRUNCATE'
       AND coalesce(current_setting('vb.audit_retention', true), '') = 'on'
       AND pg_has_role(current_user, owner_role, 'MEMBER') THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();
CREATE TRIGGER audit_chain_anchor_guarded BEFORE UPDATE OR DELETE ON audit_chain_anchor
    FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
CREATE TRIGGER audit_chain_anchor_no_truncate BEFORE TRUNCATE ON audit_chain_anchor
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();

-- Appends entries (a JSON array, in order) inside the caller's transaction; they are chained later.
CREATE FUNCTION audit_append(entries JSONB) RETURNS VOID LANGUAGE sql AS $$
    INSERT INTO audit_log (occurred_at, actor_sub, actor_role, actor_service, action, target_type, target_id,
                           request_id, client_ip, user_agent, outcome, details)
    SELECT (e->>'occurred_at')::timestamptz, e->>'actor_sub', e->>'actor_role', e->>'actor_service', e->>'action',
           e->>'target_type', e->>'target_id', e->>'request_id', e->>'client_ip', e->>'user_agent', e->>'outcome',
           coalesce(e->'details', '{}'::jsonb)
      FROM jsonb_array_elements(entries) WITH ORDINALITY AS t(e, n)
     ORDER BY n;
$$;
