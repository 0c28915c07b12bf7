import { randomBytes } from 'node:crypto';
import { createDatabase, currentRun, dropDatabase } from './run-resources';

/** A fresh, empty database of this run, for tests that need a pristine schema (migrations). */
export async function scratchDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const run = currentRun();
  const name = `vb_test_${run.runId}_${randomBytes(4).toString('hex')}`;
  const url = await createDatabase(run.adminUrl, name);
  return { url, name, drop: () => dropDatabase(run.adminUrl, name) };
}
