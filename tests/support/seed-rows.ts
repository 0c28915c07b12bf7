import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { currentRun } from './run-resources';

/**
 * Builders for rows of the shipped schema, inserted straight through pg (not through the API under
 * test). Every id is a fresh UUID, so test files sharing the run's database never meet.
 */
export type RowData = Record<string, unknown>;

const tag = () => randomBytes(4).toString('hex');

export const aUser = (overrides: RowData = {}): RowData => ({
  id: randomUUID(),
  email: `user-${tag()}@example.com`,
  username: `user_${tag()}`,
  password_hash: '$2b$10$not-a-real-hash',
  first_name: 'Ada',
  last_name: 'Lovelace',
  ...overrides,
});

export const aProject = (userId: string, overrides: RowData = {}): RowData => ({
  id: randomUUID(),
  user_id: userId,
  title: `Project ${tag()}`,
  status: 'draft',
  ...overrides,
});

export const aFile = (userId: string, overrides: RowData = {}): RowData => ({
  id: randomUUID(),
  user_id: userId,
  original_name: `file-${tag()}.pdf`,
  file_path: `uploads/${tag()}.pdf`,
  file_type: 'document',
  mime_type: 'application/pdf',
  size_bytes: 1024,
  checksum_md5: 'd41d8cd98f00b204e9800998ecf8427e',
  checksum_sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  encryption_key_id: `key-${tag()}`,
  ...overrides,
});

export const anAnalysisJob = (projectId: string, overrides: RowData = {}): RowData => ({
  id: randomUUID(),
  project_id: projectId,
  job_type: 'ai_analysis',
  status: 'pending',
  parameters: { model: 'test' },
  ...overrides,
});

export const aContentAnalysis = (projectId: string, overrides: RowData = {}): RowData => ({
  id: randomUUID(),
  project_id: projectId,
  analysis_type: 'scenes',
  result: { scenes: 3 },
  confidence_score: 0.9,
  ...overrides,
});

export const aFileMetadata = (fileId: string, overrides: RowData = {}): RowData => ({
  id: randomUUID(),
  file_id: fileId,
  metadata_type: 'exif',
  metadata: { width: 800 },
  ...overrides,
});

/** A pg client on the run's database that inserts built rows and returns them as stored. */
export class SeedRows {
  private constructor(readonly sql: Client) {}

  static async connect(url = currentRun().databaseUrl): Promise<SeedRows> {
    const sql = new Client({ connectionString: url });
    await sql.connect();
    return new SeedRows(sql);
  }

  async insert(table: string, row: RowData): Promise<RowData> {
    const columns = Object.keys(row);
    const values = columns.map((c) => {
      const v = row[c];
      // pg sends arrays as PostgreSQL arrays; JSON columns here hold objects, sent as JSON text.
      return v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v;
    });
    const text = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`;
    return (await this.sql.query(text, values)).rows[0] as RowData;
  }

  user(overrides: RowData = {}) {
    return this.insert('users', aUser(overrides));
  }

  project(userId: string, overrides: RowData = {}) {
    return this.insert('projects', aProject(userId, overrides));
  }

  file(userId: string, overrides: RowData = {}) {
    return this.insert('files', aFile(userId, overrides));
  }

  analysisJob(projectId: string, overrides: RowData = {}) {
    return this.insert('analysis_jobs', anAnalysisJob(projectId, overrides));
  }

  contentAnalysis(projectId: string, overrides: RowData = {}) {
    return this.insert('content_analysis', aContentAnalysis(projectId, overrides));
  }

  fileMetadata(fileId: string, overrides: RowData = {}) {
    return this.insert('file_metadata', aFileMetadata(fileId, overrides));
  }

  close(): Promise<void> {
    return this.sql.end();
  }
}
