-- description: Transformations listed per user, newest first (GET /api/v1/storage/transform)
-- estimated_duration_ms: 100

CREATE INDEX idx_file_transformations_user_created ON file_transformations(user_id, created_at DESC, id DESC);
