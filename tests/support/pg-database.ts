import { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { RecordingLogger } from './recording-logger';

/** The service's pg adapter on a test database, with the service's defaults. */
export function testPgDatabase(url: string): PgSqlDatabase {
  return new PgSqlDatabase(
    { connectionString: url, min: 0, max: 5, idleTimeoutMs: 1_000, connectTimeoutMs: 5_000, statementTimeoutMs: 30_000, applicationName: 'vb-test' },
    new RecordingLogger(),
  );
}
