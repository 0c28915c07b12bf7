import fc from 'fast-check';
import type { Fixtures } from './fuzz-world';
import type { Hints } from './schema-arbitrary';

const TABLES = ['projects', 'users', 'files', 'analysis_jobs', 'content_analysis', 'file_metadata', 'media_assets', 'upload_sessions', 'audit_log', 'pg_user', 'information_schema.tables'];
const COLUMNS = ['id', 'title', 'status', 'user_id', 'project_id', 'created_at', 'updated_at', 'description', 'settings', 'email', 'metadata', 'deleted_at', 'role', 'password_hash'];
const SELECTS = [
  'SELECT 1',
  'SELECT id, title FROM projects WHERE title = $1',
  'SELECT * FROM users',
  'SELECT count(*) FROM files',
  'WITH x AS (SELECT 1 AS a) SELECT * FROM x',
  'EXPLAIN SELECT * FROM projects',
  'SELECT $1::int',
  'SELECT pg_sleep(0.01)',
  'DELETE FROM projects',
  'SELECT 1; DROP TABLE files',
  "COPY files TO '/tmp/x'",
  'EXPLAIN ANALYZE DELETE FROM users',
  'SELECT * FROM pg_authid',
  'SELECT lo_import($1)',
  'UPDATE users SET role = $1',
];

/**
 * Values the service recognises, by property name: tables and columns of the schema, the seeded
 * ids, selects that parse (and writes dressed as selects), so generated requests reach past the
 * first lookup. The schema's own rules generate the rest.
 */
export function fuzzHints(ids: Fixtures): Hints {
  const fileIds = () => fc.constantFrom(...ids.fileIds, ids.otherFileId);
  return {
    table: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...TABLES) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) }),
    $column: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...COLUMNS) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 8 }) }),
    'column': fc.constantFrom(...COLUMNS),
    'field[]': fc.constantFrom(...COLUMNS),
    'returning[]': fc.constantFrom(...COLUMNS),
    'on_conflict[]': fc.constantFrom(...COLUMNS),
    sql: fc.constantFrom(...SELECTS),
    source_file_id: fileIds(),
    'file_id[]': fileIds(),
    file_id: fileIds(),
    project_id: fc.oneof(fc.constant(ids.projectId), fc.uuid(), fc.constant(null)),
    connection_id: fc.constantFrom(ids.connectionId, 'not-a-lease'),
    confirm: fc.constantFrom(ids.backupId, 'no'),
    key: fc.oneof(fc.constantFrom('k', 'project:cache:p1', 'counter'), fc.stringMatching(/^[a-z:]{1,12}$/)),
    'key[]': fc.constantFrom('k', 'project:cache:p1', 'counter'),
  };
}
