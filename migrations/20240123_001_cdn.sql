-- description: CDN: one cdn_cache row per (file, provider, URL), hourly traffic counters, purge requests
-- estimated_duration_ms: 100

-- One row per cached URL, so hit counters accumulate instead of duplicating rows.
CREATE UNIQUE INDEX idx_cdn_cache_file_provider_key ON cdn_cache(file_id, cdn_provider, cache_key);

-- Requests the CDN (its log) or the origin (its own counters) saw, per file and hour; /cdn/stats sums them.
-- region is '' when the provider does not report one (never guessed).
CREATE TABLE cdn_traffic (
    file_id UUID NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    cdn_provider VARCHAR(50) NOT NULL,
    bucket_start TIMESTAMPTZ NOT NULL,
    region VARCHAR(50) NOT NULL DEFAULT '',
    requests BIGINT NOT NULL DEFAULT 0,
    hits BIGINT NOT NULL DEFAULT 0,
    misses BIGINT NOT NULL DEFAULT 0,
    bytes BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (file_id, cdn_provider, bucket_start, region)
);
CREATE INDEX idx_cdn_traffic_bucket ON cdn_traffic(bucket_start);

-- Asynchronous purges (002 "POST /cdn/purge"): targets are fixed when asked, so a purge still
-- reaches the CDN after the file row itself is gone (permanent delete).
CREATE TABLE cdn_purge_requests (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID,
    purge_type VARCHAR(20) NOT NULL CHECK (purge_type IN ('all', 'thumbnails', 'previews')),
    reason VARCHAR(50) NOT NULL DEFAULT 'request',
    file_ids UUID[] NOT NULL,
    targets JSONB NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
    providers JSONB NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    completed_at TIMESTAMPTZ
);
CREATE INDEX idx_cdn_purge_requests_user ON cdn_purge_requests(user_id, created_at DESC);
