-- description: Create files, file_metadata, file_transformations and cdn_cache (002)
-- estimated_duration_ms: 800

-- user_id and project_id carry no foreign keys, as in 002: file owners come from an external
-- identity provider and need not exist in users. metadata is 001's FileMetadata.metadata.
CREATE TABLE files (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    project_id UUID,
    original_name VARCHAR(255) NOT NULL,
    file_path VARCHAR(500) NOT NULL,
    file_type VARCHAR(100) NOT NULL,
    mime_type VARCHAR(100) NOT NULL,
    size_bytes BIGINT NOT NULL,
    checksum_md5 VARCHAR(32) NOT NULL,
    checksum_sha256 VARCHAR(64) NOT NULL,
    storage_provider VARCHAR(50) DEFAULT 'azure_blob',
    storage_tier VARCHAR(50) DEFAULT 'hot',
    encryption_key_id VARCHAR(255),
    is_public BOOLEAN DEFAULT FALSE,
    metadata JSONB NOT NULL DEFAULT '{}',
    expires_at TIMESTAMP,
    created_at TIMESTAMP DEFAULT NOW(),
    updated_at TIMESTAMP DEFAULT NOW(),
    deleted_at TIMESTAMP
);
CREATE INDEX idx_files_user_id ON files(user_id);
CREATE INDEX idx_files_project_id ON files(project_id);
CREATE INDEX idx_files_type ON files(file_type);
CREATE INDEX idx_files_created_at ON files(created_at);
CREATE INDEX idx_files_checksum_md5 ON files(checksum_md5);

CREATE TABLE file_metadata (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    file_id UUID REFERENCES files(id) ON DELETE CASCADE,
    metadata_type VARCHAR(50) NOT NULL,
    metadata JSONB NOT NULL,
    extracted_at TIMESTAMP DEFAULT NOW()
);
CREATE INDEX idx_file_metadata_file_id ON file_metadata(file_id);
CREATE INDEX idx_file_metadata_type ON file_metadata(metadata_type);

CREATE TABLE file_transformations (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    source_file_id UUID REFERENCES files(id) ON DELETE CASCADE,
    target_file_id UUID REFERENCES files(id) ON DELETE CASCADE,
    transformation_type VARCHAR(100) NOT NULL,
    transformation_params JSONB NOT NULL,
    status VARCHAR(50) DEFAULT 'pending',
    progress_percent INTEGER DEFAULT 0,
    error_message TEXT,
    started_at TIMESTAMP,
    completed_at TIMESTAMP,
    created_at TIMESTAMP DEFAULT NOW()
);
CREATE INDEX idx_file_transformations_source ON file_transformations(source_file_id);
CREATE INDEX idx_file_transformations_target ON file_transformations(target_file_id);
CREATE INDEX idx_file_transformations_status ON file_transformations(status);

CREATE TABLE cdn_cache (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    file_id UUID REFERENCES files(id) ON DELETE CASCADE,
    cdn_provider VARCHAR(50) NOT NULL,
    cdn_url VARCHAR(500) NOT NULL,
    cache_key VARCHAR(255) NOT NULL,
    hit_count BIGINT DEFAULT 0,
    last_hit_at TIMESTAMP,
    expires_at TIMESTAMP,
    created_at TIMESTAMP DEFAULT NOW()
);
CREATE INDEX idx_cdn_cache_file_id ON cdn_cache(file_id);
CREATE INDEX idx_cdn_cache_key ON cdn_cache(cache_key);
CREATE INDEX idx_cdn_cache_provider ON cdn_cache(cdn_provider);
