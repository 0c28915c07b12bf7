import { randomBytes } from 'node:crypto';

/** `mig_` and 12 hex characters: unguessable enough that run ids do not enumerate. */
export function newMigrationRunId(): string {
  return `mig_${randomBytes(6).toString('hex')}`;
}
