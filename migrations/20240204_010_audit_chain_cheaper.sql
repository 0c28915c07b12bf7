-- description: Audit trail: the chainer's link checked column by column (no row-to-JSON per row) and chain_seq unique only once set
-- estimated_duration_ms: 100

-- The append-only guard let the chainer's link through after comparing to_jsonb(OLD) and to_jsonb(NEW)
-- four times per row: two thirds of the chainer's UPDATE time (10,000 links: 1.7-2.7 s with it, 0.8 s
-- without the trigger, 0.7-0.9 s with this one; docs/benchmarks.md, "Audit (issue 11)"). The same rule,
-- written out: only an unchained entry may be linked, every other column unchanged. A column added to
-- audit_log must be added to both lists below (tests/api/audit.test.ts checks that none is missing).
CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    owner_role OID;
BEGIN
    -- Nested: OLD has no chain_seq in audit_chain_anchor, and plpgsql does not promise to stop at the
    -- table check before reading OLD's columns.
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'audit_log' THEN
        IF OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL
           AND (OLD.id, OLD.occurred_at, OLD.actor_sub, OLD.actor_role, OLD.actor_service, OLD.action, OLD.target_type,
                OLD.target_id, OLD.request_id, OLD.client_ip, OLD.user_agent, OLD.outcome, OLD.details)
               IS NOT DISTINCT FROM
               (NEW.id, NEW.occurred_at, NEW.actor_sub, NEW.actor_role, NEW.actor_service, NEW.action, NEW.target_type,
                NEW.target_id, NEW.request_id, NEW.client_ip, NEW.user_agent, NEW.outcome, NEW.details) THEN
            RETURN NEW;
        END IF;
    END IF;
    SELECT relowner INTO owner_role FROM pg_class WHERE oid = TG_RELID;
    IF TG_OP <> 'TRUNCATE'
       AND coalesce(current_setting('vb.audit_retention', true), '') = 'on'
       AND pg_has_role(current_user, owner_role, 'MEMBER') THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

-- Every append wrote a NULL into the unique index on chain_seq; only set values need to be unique
-- (the verifier's chain_seq > $1 ORDER BY chain_seq still uses it: the range implies NOT NULL).
ALTER TABLE audit_log DROP CONSTRAINT audit_log_chain_seq_key;
CREATE UNIQUE INDEX audit_log_chain_seq_key ON audit_log (chain_seq) WHERE chain_seq IS NOT NULL;
