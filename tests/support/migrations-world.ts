import { GetMigrationRun } from '../../src/application/database/migrations/get-migration-run';
import { GetMigrationStatus } from '../../src/application/database/migrations/get-migration-status';
import { MigrateToLatest } from '../../src/application/database/migrations/migrate-to-latest';
import { RunMigrations } from '../../src/application/database/migrations/run-migrations';
import type { Clock } from '../../src/application/ports/clock.port';
import { InMemoryMigrationRunStore } from '../../src/adapters/in-memory/fakes/in-memory-migration-run-store';
import { InMemoryMigrationSource } from '../../src/adapters/in-memory/fakes/in-memory-migration-source';
import { InMemoryMigrationStore } from '../../src/adapters/in-memory/fakes/in-memory-migration-store';
import { InProcessBackgroundTasks } from '../../src/adapters/in-process/in-process-background-tasks';
import type { MigrationScript } from '../../src/domain/database/migration';
import { RecordingLogger } from './recording-logger';

/** A clock that moves one second per reading, so every recorded time is distinct and ordered. */
export class SteppingClock implements Clock {
  private t: number;
  constructor(start = Date.parse('2024-01-15T09:00:00Z')) {
    this.t = start;
  }
  now(): Date {
    this.t += 1_000;
    return new Date(this.t);
  }
}

/** The migrations use cases over the in-memory adapters, for unit tests. */
export function migrationsWorld(scripts: readonly MigrationScript[]) {
  const clock = new SteppingClock();
  const logger = new RecordingLogger();
  const source = new InMemoryMigrationSource(scripts);
  const store = new InMemoryMigrationStore(clock);
  const runs = new InMemoryMigrationRunStore();
  const tasks = new InProcessBackgroundTasks(logger);
  let ids = 0;
  const newRunId = () => `mig_test${++ids}`;
  return {
    clock,
    logger,
    source,
    store,
    runs,
    tasks,
    getStatus: new GetMigrationStatus(source, store),
    runMigrations: new RunMigrations(source, store, runs, tasks, clock, logger, newRunId),
    getRun: new GetMigrationRun(runs),
    migrateToLatest: new MigrateToLatest(source, store, runs, clock, logger, newRunId),
  };
}
