import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { ExclusiveLocks } from '../../src/application/ports/exclusive-locks.port';
import { PgExclusiveLocks } from '../../src/adapters/postgres/pg-exclusive-locks';
import { exclusiveLocksContract } from '../contract/exclusive-locks.contract';
import { currentRun } from '../support/run-resources';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

exclusiveLocksContract('PgExclusiveLocks', async () => {
  const { databaseUrl } = currentRun();
  const apps = new Map<ExclusiveLocks, string>();
  const open = () => {
    const app = `vb-locks-${randomBytes(4).toString('hex')}`;
    const locks = new PgExclusiveLocks({ connectionString: databaseUrl, applicationName: app, connectTimeoutMs: 5_000 }, silent);
    apps.set(locks, app);
    return locks;
  };
  const [first, second] = [open(), open()];
  return {
    first,
    second,
    // What PostgreSQL sees of a process killed, or of a connection cut: its backend ends.
    loseSession: async (locks) => {
      const admin = new Client({ connectionString: databaseUrl });
      await admin.connect();
      try {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`${apps.get(locks)}-task-locks`]);
      } finally {
        await admin.end();
      }
    },
    close: async () => {
      await first.close();
      await second.close();
    },
  };
});
