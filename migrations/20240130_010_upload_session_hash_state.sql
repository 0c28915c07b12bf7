-- description: Resumable uploads written in place: how many bytes are durable and hashed, and the hash state to continue from
-- estimated_duration_ms: 50

-- received_bytes: bytes 0..n-1 of the staged object are durable and hashed (tus's Upload-Offset).
-- hash_state: md5 and sha256 state after those bytes, so the next request, on any instance, continues it.
ALTER TABLE upload_sessions ADD COLUMN received_bytes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE upload_sessions ADD COLUMN hash_state BYTEA;
-- Sessions begun before this release staged numbered chunks that this one does not read: they expire as usual.
