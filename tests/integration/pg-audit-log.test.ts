import { PgAuditLog } from '../../src/adapters/postgres/pg-audit-log';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';
import { auditLogContract } from '../contract/audit-log.contract';

let scratch: MigratedScratchDatabase;

beforeAll(async () => {
  scratch = await migratedScratchDatabase();
});
afterAll(async () => {
  await scratch.close();
});

auditLogContract('PgAuditLog', async (origin, clock) => new PgAuditLog(scratch.db, origin, clock));
