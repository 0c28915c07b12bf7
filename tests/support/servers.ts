import net from 'node:net';
import { Client } from 'pg';

/**
 * Where the tests find PostgreSQL and Redis: TEST_DATABASE_URL / TEST_REDIS_URL when set, else the
 * local servers on 127.0.0.1:5432 / 6379 when they answer, else containers (testcontainers; needs a
 * Docker engine, which this project's CI machine does not have and does not need).
 */
export interface TestServers {
  /** Admin URL of a database on the server, used to create and drop per-run databases. */
  postgresAdminUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

const LOCAL_POSTGRES = 'postgresql://postgres@127.0.0.1:5432/test';
const LOCAL_REDIS = 'redis://127.0.0.1:6379';

export async function discoverServers(): Promise<TestServers> {
  const stops: Array<() => Promise<void>> = [];
  let postgresAdminUrl = process.env.TEST_DATABASE_URL;
  let redisUrl = process.env.TEST_REDIS_URL;
  if (!postgresAdminUrl && (await postgresAnswers(LOCAL_POSTGRES))) postgresAdminUrl = LOCAL_POSTGRES;
  if (!redisUrl && (await portAnswers('127.0.0.1', 6379))) redisUrl = LOCAL_REDIS;
  if (!postgresAdminUrl) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15').withDatabase('test').start();
    postgresAdminUrl = container.getConnectionUri();
    stops.push(async () => void (await container.stop()));
  }
  if (!redisUrl) {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7').start();
    redisUrl = container.getConnectionUrl();
    stops.push(async () => void (await container.stop()));
  }
  return {
    postgresAdminUrl,
    redisUrl,
    stop: async () => {
      for (const stop of stops) await stop();
    },
  };
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
