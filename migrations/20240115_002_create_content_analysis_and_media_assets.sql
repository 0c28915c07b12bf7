-- description: Create content_analysis and media_assets (000)
-- estimated_duration_ms: 500

CREATE TABLE content_analysis (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id UUID REFERENCES projects(id) ON DELETE CASCADE,
    analysis_type VARCHAR(100) NOT NULL,
    result JSONB NOT NULL,
    confidence_score DECIMAL(3,2),
    created_at TIMESTAMP DEFAULT NOW()
);
CREATE INDEX idx_content_analysis_project_id ON content_analysis(project_id);
CREATE INDEX idx_content_analysis_type ON content_analysis(analysis_type);
CREATE INDEX idx_content_analysis_confidence ON content_analysis(confidence_score);

CREATE TABLE media_assets (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id UUID REFERENCES projects(id) ON DELETE CASCADE,
    asset_type VARCHAR(50) NOT NULL,
    file_path VARCHAR(500) NOT NULL,
    metadata JSONB,
    size_bytes BIGINT,
    created_at TIMESTAMP DEFAULT NOW()
);
CREATE INDEX idx_media_assets_project_id ON media_assets(project_id);
CREATE INDEX idx_media_assets_type ON media_assets(asset_type);
