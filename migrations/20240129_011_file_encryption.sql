-- description: Files encrypted at rest: the wrapped data key beside encryption_key_id, and the progress rows of the encryption jobs (rotation, encrypt-existing)
-- estimated_duration_ms: 100

-- The data key of an encrypted file, wrapped by master key encryption_key_id (base64 of nonce | key | tag);
-- never the key in clear. Both NULL: the object is stored in clear. Not granted to vb_sql_reader (column
-- grants are listed explicitly) and a SECRET_COLUMN of the data API.
ALTER TABLE files ADD COLUMN encryption_wrapped_key TEXT;

-- Status counts files per master key; rotation walks the files not under the active key.
CREATE INDEX idx_files_encryption_key_id ON files(encryption_key_id) WHERE encryption_wrapped_key IS NOT NULL;

-- One row per job; a running job is picked up again after a restart (each step is idempotent).
CREATE TABLE encryption_jobs (
    id UUID PRIMARY KEY,
    kind VARCHAR(20) NOT NULL CHECK (kind IN ('rotate', 'encrypt_existing')),
    status VARCHAR(20) NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    target_key_id VARCHAR(255) NOT NULL,
    total_files INTEGER NOT NULL DEFAULT 0,
    done_files INTEGER NOT NULL DEFAULT 0,
    failed_files INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    started_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    finished_at TIMESTAMPTZ
);

-- At most one running job of each kind.
CREATE UNIQUE INDEX idx_encryption_jobs_running ON encryption_jobs(kind) WHERE status = 'running';
