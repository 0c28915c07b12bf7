import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { PgDumpDatabaseDumper } from '../../src/adapters/postgres/pg-dump-database-dumper';
import type { RunningDump } from '../../src/application/ports/database-dumper.port';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';

jest.setTimeout(30_000);

/** Reads the archive to its end and waits for pg_dump: what the backup does, minus the store. */
async function drain(dump: RunningDump): Promise<{ bytes: number; outcome: Error | null }> {
  let bytes = 0;
  const reading = (async () => {
    for await (const chunk of dump.archive) bytes += (chunk as Buffer).length;
  })();
  const outcome = await dump.finished.then(() => null, (error: Error) => error);
  await reading.catch(() => undefined);
  return { bytes, outcome };
}

describe('PgDumpDatabaseDumper never waits forever', () => {
  let scratch: MigratedScratchDatabase;
  let bin: string;
  beforeEach(async () => {
    scratch = await migratedScratchDatabase();
    bin = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-pgbin-'));
  });
  afterEach(async () => {
    await scratch.close();
    await fs.rm(bin, { recursive: true, force: true });
  });

  it('fails with pg_dump\'s lock error after BACKUP_LOCK_WAIT_TIMEOUT_MS when a table is locked exclusively', async () => {
    const dumper = new PgDumpDatabaseDumper({ connectionString: scratch.url, binDir: undefined, applicationName: 'test', lockWaitTimeoutMs: 300 });
    const locker = new Client({ connectionString: scratch.url });
    await locker.connect();
    try {
      const snapshot = await dumper.openSnapshot();
      await locker.query('BEGIN; LOCK TABLE files IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const { outcome } = await drain(snapshot.dump(() => undefined));
      expect(outcome?.message).toMatch(/pg_dump exited with code 1: .*statement timeout.*LOCK TABLE public.files IN ACCESS SHARE MODE/);
      expect(Date.now() - started).toBeLessThan(15_000);
      await snapshot.close({ keep: false });
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
  });

  it('settles once pg_dump exits, even when a process it left behind keeps stderr open', async () => {
    // The real pg_dump, then a leftover holding stderr for far longer than the test may take.
    await fs.writeFile(
      path.join(bin, 'pg_dump'),
      '#!/bin/sh\nif [ "$1" = "--version" ]; then exec /usr/bin/pg_dump --version; fi\n/usr/bin/pg_dump "$@"\nsleep 120 >/dev/null &\nexit 0\n',
      { mode: 0o755 },
    );
    await fs.symlink('/usr/bin/pg_restore', path.join(bin, 'pg_restore'));
    const dumper = new PgDumpDatabaseDumper({ connectionString: scratch.url, binDir: bin, applicationName: 'test', lockWaitTimeoutMs: 60_000 });
    const snapshot = await dumper.openSnapshot();
    const started = Date.now();
    const { bytes, outcome } = await drain(snapshot.dump(() => undefined));
    expect(outcome).toBeNull();
    expect(bytes).toBeGreaterThan(1_000);
    expect(Date.now() - started).toBeLessThan(20_000);
    await snapshot.close({ keep: true });
  });
});
