-- description: Database restores: one row per restore of a backup, with its progress and report
-- estimated_duration_ms: 50

-- Left out of the archives like db_backups (pg_dump --exclude-table): an in-place restore must not
-- roll back the record of the restore that is running.
CREATE TABLE db_restores (
    id UUID PRIMARY KEY,
    backup_id UUID NOT NULL,
    target VARCHAR(20) NOT NULL CHECK (target IN ('new_database', 'in_place')),
    database_name VARCHAR(63) NOT NULL,
    status VARCHAR(20) NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
    progress JSONB NOT NULL DEFAULT '{}'::jsonb,
    report JSONB,
    error TEXT,
    started_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    completed_at TIMESTAMPTZ,
    -- Written with the progress; a queued or running restore whose heartbeat stops is a dead instance's.
    heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
-- One restore at a time across every instance: a second queued/running row violates this index.
CREATE UNIQUE INDEX idx_db_restores_one_active ON db_restores ((TRUE)) WHERE status IN ('queued', 'running');
