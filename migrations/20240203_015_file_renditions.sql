-- description: Renditions on request (issue 15): the bounded cache of images rendered from files, least recently used evicted first
-- estimated_duration_ms: 50

-- One row per (file, rendition key). The key hashes the source's sha256 and the canonical parameters,
-- so new content never finds an old rendition. Rows go with their file; the service deletes the
-- objects (renditions/{file}/{key}.{ext}) first, on trash and permanent deletion.
CREATE TABLE file_renditions (
    file_id UUID NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    rendition_key CHAR(64) NOT NULL,
    parameters TEXT NOT NULL,
    format VARCHAR(10) NOT NULL CHECK (format IN ('jpeg', 'png', 'webp', 'avif')),
    object_key TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    encryption_key_id TEXT,
    encryption_wrapped_key TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    last_used_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (file_id, rendition_key)
);
CREATE INDEX idx_file_renditions_last_used ON file_renditions(last_used_at);
