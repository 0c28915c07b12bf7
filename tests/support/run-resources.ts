import { Client } from 'pg';

/** What global setup created for this run, handed to the test workers through the environment. */
export interface RunResources {
  runId: string;
  adminUrl: string;
  databaseUrl: string;
  redisUrl: string;
  keyPrefix: string;
}

const ENV = 'VB_TEST_RUN';

export function publishRun(resources: RunResources): void {
  process.env[ENV] = JSON.stringify(resources);
}

export function currentRun(): RunResources {
  const raw = process.env[ENV];
  if (!raw) throw new Error('No test run: tests must run through jest (see jest.config.js globalSetup)');
  return JSON.parse(raw) as RunResources;
}

/** The guard of STYLE.md: never create or drop a database whose name does not say it is a test. */
export function assertTestDatabaseName(name: string): void {
  if (!/test/i.test(name) || !/^[a-z0-9_]+$/.test(name)) throw new Error(`Refusing to touch database "${name}": not a test database name`);
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  assertTestDatabaseName(name);
  await adminQuery(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  return withDatabase(adminUrl, name);
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  assertTestDatabaseName(name);
  await adminQuery(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
