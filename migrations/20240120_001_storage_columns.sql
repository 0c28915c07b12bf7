-- description: Storage columns: backup replication state on files, the dedup index (user, sha256), and the trash index
-- estimated_duration_ms: 300

-- Backup replication runs after the upload answers, so its state lives on the row for GET /files/{id}.
ALTER TABLE files
    ADD COLUMN backup_status VARCHAR(20) NOT NULL DEFAULT 'none',
    ADD COLUMN backup_provider VARCHAR(50),
    ADD COLUMN backup_attempts INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN backup_error TEXT;

-- Dedup looks a user's content up by sha256 at every upload.
CREATE INDEX idx_files_user_checksum_sha256 ON files(user_id, checksum_sha256);

-- The trash purge scans only trashed rows.
CREATE INDEX idx_files_deleted_at ON files(deleted_at) WHERE deleted_at IS NOT NULL;
