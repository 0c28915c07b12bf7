-- description: Database backups: one row per backup, the file manifest of each, and the objects whose deletion waits for the backups that list them
-- estimated_duration_ms: 100

-- Neither these tables nor pg-boss's schema are in the archives (pg_dump --exclude-*): an in-place
-- restore must not roll back the history of backups (including the one being restored) or the queue.
CREATE TABLE db_backups (
    id UUID PRIMARY KEY,
    label VARCHAR(200),
    kind VARCHAR(20) NOT NULL CHECK (kind IN ('manual', 'scheduled', 'pre_restore')),
    status VARCHAR(20) NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
    include_files_manifest BOOLEAN NOT NULL DEFAULT TRUE,
    started_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    completed_at TIMESTAMPTZ,
    size_bytes BIGINT,
    sha256 VARCHAR(64),
    server_version VARCHAR(100),
    migration_version VARCHAR(50),
    files_in_manifest INTEGER,
    storage_provider VARCHAR(50) NOT NULL,
    storage_key VARCHAR(500) NOT NULL,
    encrypted BOOLEAN NOT NULL,
    expires_at TIMESTAMPTZ,
    error TEXT,
    progress JSONB NOT NULL DEFAULT '{}'::jsonb,
    -- Written with the progress; a queued or running backup whose heartbeat stops is a dead worker's.
    heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
-- One backup at a time across every instance: a second queued/running row violates this index.
CREATE UNIQUE INDEX idx_db_backups_one_active ON db_backups ((TRUE)) WHERE status IN ('queued', 'running');
CREATE INDEX idx_db_backups_started_at ON db_backups(started_at DESC);

-- The files rows a backup's snapshot held (no foreign key to files: the rows may be deleted since).
CREATE TABLE db_backup_files (
    backup_id UUID NOT NULL REFERENCES db_backups(id) ON DELETE CASCADE,
    file_id UUID NOT NULL,
    file_path VARCHAR(500) NOT NULL,
    storage_provider VARCHAR(50),
    size_bytes BIGINT NOT NULL,
    checksum_sha256 VARCHAR(64) NOT NULL,
    PRIMARY KEY (backup_id, file_id)
);
CREATE INDEX idx_db_backup_files_path ON db_backup_files(file_path);

-- Objects of deleted files kept for the backups that list them; the retention job deletes each once
-- no kept backup lists it.
CREATE TABLE db_backup_tombstones (
    file_path VARCHAR(500) PRIMARY KEY,
    file_id UUID NOT NULL,
    storage_provider VARCHAR(50),
    deleted_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
