-- description: file_transformations as durable jobs: owner, output name, attempts, processing time (status also takes 'cancelled')
-- estimated_duration_ms: 100

-- user_id is the owner of the source (and of the output); the queue itself lives in pg-boss's schema.
ALTER TABLE file_transformations
    ADD COLUMN user_id UUID,
    ADD COLUMN output_name VARCHAR(255),
    ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN processing_time_ms INTEGER;
-- queue_position counts the queued jobs ahead of one.
CREATE INDEX idx_file_transformations_queued ON file_transformations(created_at) WHERE status = 'queued';
