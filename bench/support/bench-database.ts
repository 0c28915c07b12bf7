import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** A throwaway database on the local server (its name says bench, and test, so guards recognise it). */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `vb_bench_test_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function admin<T>(work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** `users` users owning `perUser` projects each, with the seed's indexes already in place. */
export async function seedProjects(url: string, users: number, perUser: number): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO users (email, password_hash)
       SELECT 'bench' || g || '@example.com', 'x' FROM generate_series(1, $1) g RETURNING id`,
      [users],
    );
    await client.query(
      `INSERT INTO projects (user_id, title, status, created_at)
       SELECT u.id, 'Project ' || g, (ARRAY['draft','active','completed'])[1 + g % 3], now() - (g || ' minutes')::interval
         FROM users u CROSS JOIN generate_series(1, $1) g`,
      [perUser],
    );
    await client.query('ANALYZE');
    return rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}
