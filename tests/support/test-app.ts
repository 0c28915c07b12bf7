import type { Express } from 'express';
import type { Container } from 'inversify';
import { buildContainer, warmUp, type Overrides } from '../../src/infrastructure/container';
import { loadConfig, type Config } from '../../src/infrastructure/config';
import type { BackgroundTasks } from '../../src/infrastructure/background-tasks';
import type { Lifecycle } from '../../src/infrastructure/lifecycle';
import { findProjectRoot } from '../../src/infrastructure/paths';
import { TOKENS } from '../../src/infrastructure/tokens';
import { InMemoryExclusiveLocks } from '../../src/adapters/in-memory/fakes/in-memory-exclusive-locks';
import { currentRun } from './run-resources';
import { TEST_JWT_SECRET } from './tokens';

export interface TestAppOptions {
  /** Environment variables on top of the test defaults (real PostgreSQL and Redis of this run). */
  env?: Record<string, string | undefined>;
  overrides?: Overrides;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** Start the service's background tasks, as main.ts does (default true); `close()` stops them. */
  background?: boolean;
}

export interface TestApp {
  app: Express;
  container: Container;
  config: Config;
  close(): Promise<void>;
}

export function testConfig(env: Record<string, string | undefined> = {}): Config {
  const run = currentRun();
  const merged = {
    NODE_ENV: 'test',
    DATABASE_URL: run.databaseUrl,
    REDIS_URL: run.redisUrl,
    REDIS_KEY_PREFIX: run.keyPrefix,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    PROMETHEUS_PORT: '0',
    DB_POOL_MAX: '5',
    // No transformation workers unless a test asks: they would start pg-boss in the shared database.
    TRANSFORM_CONCURRENCY: '0',
    // Nor a database backup worker (it too would start pg-boss); the backup tests ask for one.
    BACKUP_WORKERS: '0',
    ...env,
  };
  const cleaned = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
  return loadConfig(cleaned, { projectRoot: findProjectRoot(__dirname), version: 'test' });
}

/** The wired container over this run's real PostgreSQL and Redis, warmed up (and migrated), before any app is built. */
export async function buildTestContainer(options: TestAppOptions = {}): Promise<Omit<TestApp, 'app'>> {
  const config = testConfig(options.env);
  // Each test app is a deployment of its own: one-process tasks are not contended for with the other
  // test files' apps sharing this run's database (the real locks are tested on their own).
  const container = buildContainer(config, { [TOKENS.ExclusiveLocks]: new InMemoryExclusiveLocks(), ...options.overrides });
  await warmUp(container);
  if (options.migrate ?? true) await container.get<{ execute(): Promise<void> }>(TOKENS.MigrateOnStart).execute();
  return { container, config, close: () => container.get<Lifecycle>(TOKENS.Lifecycle).close() };
}

/** The whole wired app over this run's real PostgreSQL and Redis, with its background tasks running unless `background: false`. */
export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const wired = await buildTestContainer(options);
  const app = wired.container.get<Express>(TOKENS.HttpApp);
  if (!(options.background ?? true)) return { ...wired, app };
  const tasks = wired.container.get<BackgroundTasks>(TOKENS.BackgroundTasks);
  await tasks.start();
  return {
    ...wired,
    app,
    close: async () => {
      await tasks.stop();
      await wired.close();
    },
  };
}
