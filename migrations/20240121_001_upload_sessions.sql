-- description: Resumable upload sessions (seed protocol and tus): staged chunks and their md5, so a session survives a restart
-- estimated_duration_ms: 200

-- chunks maps each received index to its md5 (hex); a re-sent chunk replaces its entry.
-- provider_upload_id is the ChunkedUploads id of the staged chunks at the provider.
CREATE TABLE upload_sessions (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL,
    file_id UUID NOT NULL,
    object_key VARCHAR(500) NOT NULL,
    provider_upload_id VARCHAR(255) NOT NULL,
    filename VARCHAR(255) NOT NULL,
    size_bytes BIGINT NOT NULL,
    mime_type VARCHAR(100) NOT NULL,
    chunk_size INTEGER NOT NULL,
    total_chunks INTEGER NOT NULL,
    project_id UUID,
    metadata JSONB NOT NULL DEFAULT '{}',
    checksum_md5 VARCHAR(32),
    chunks JSONB NOT NULL DEFAULT '{}',
    status VARCHAR(20) NOT NULL DEFAULT 'uploading',
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_upload_sessions_user_id ON upload_sessions(user_id);
-- The cleanup scans sessions still holding staged chunks past their expiry.
CREATE INDEX idx_upload_sessions_expiry ON upload_sessions(expires_at) WHERE status IN ('uploading', 'failed');
