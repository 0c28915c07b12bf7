import { createHash } from 'node:crypto';
import type { MigrationScript } from '../../domain/database/migration';

/** `<version>_<slug>.sql`, e.g. `20240115_001_create_users_and_projects.sql`. */
const FILE_NAME = /^(\d{8}_\d{3})_([A-Za-z0-9][A-Za-z0-9_-]*)\.sql$/;
const DEFAULT_ESTIMATED_DURATION_MS = 1_000;
/**
 * Each script runs inside the transaction that also records it; a statement that ends or starts a
 * transaction would break that atomicity (and statements that cannot run in one, such as CREATE
 * INDEX CONCURRENTLY, fail there), so such scripts are refused up front.
 */
const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|START\s+TRANSACTION)\s*;/im;

export class InvalidMigrationScript extends Error {
  constructor(fileName: string, problem: string) {
    super(`Migration ${fileName}: ${problem}`);
    this.name = 'InvalidMigrationScript';
  }
}

export function isMigrationFileName(fileName: string): boolean {
  return FILE_NAME.test(fileName);
}

/**
 * Reads one script: version from the name, `-- description:` (required) and
 * `-- estimated_duration_ms:` (optional) from the leading comment lines, and a SHA-256 of the text
 * with line endings normalized, so a checkout converting them does not look like a modified script.
 */
export function parseMigrationFile(fileName: string, content: string): MigrationScript {
  const name = FILE_NAME.exec(fileName);
  if (!name?.[1]) throw new InvalidMigrationScript(fileName, 'the name must be <YYYYMMDD_NNN>_<slug>.sql');
  const sql = content.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');

  const header = new Map<string, string>();
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('--')) break;
    const field = /^--\s*([a-z_]+)\s*:\s*(.*)$/i.exec(trimmed);
    if (field?.[1] && field[2] !== undefined) header.set(field[1].toLowerCase(), field[2].trim());
  }
  const description = header.get('description');
  if (!description) throw new InvalidMigrationScript(fileName, 'the script must start with a "-- description: <text>" line');
  const estimate = header.get('estimated_duration_ms');
  if (estimate !== undefined && !/^\d+$/.test(estimate)) {
    throw new InvalidMigrationScript(fileName, '"-- estimated_duration_ms:" must be a whole number of milliseconds');
  }
  if (TRANSACTION_CONTROL.test(outsideBodiesAndComments(sql))) {
    throw new InvalidMigrationScript(fileName, 'the script must not begin, commit or roll back transactions: each runs in its own');
  }

  return {
    version: name[1],
    description,
    checksum: createHash('sha256').update(sql).digest('hex'),
    estimatedDurationMs: estimate === undefined ? DEFAULT_ESTIMATED_DURATION_MS : Number(estimate),
    sql,
  };
}

/** Function bodies ($$ ... $$) may hold their own BEGIN/END; only top-level statements count. */
function outsideBodiesAndComments(sql: string): string {
  return sql.replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, '').replace(/--[^\n]*/g, '');
}
