import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { percentile, type LoadResult } from './load-result';

/**
 * The baseline: the same work the gateway does for a scenario, issued straight through pg and ioredis
 * with the service's pool size and the same concurrency. Runs in its own process.
 */
interface Job {
  name: 'query' | 'cache_hit' | 'transaction';
  databaseUrl: string;
  redisUrl: string;
  keyPrefix: string;
  userId: string;
  poolSize: number;
  connections: number;
  durationSeconds: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as Job;
  const pool = new Pool({ connectionString: job.databaseUrl, max: job.poolSize });
  const redis = new Redis(job.redisUrl, { keyPrefix: job.keyPrefix });
  const cached = JSON.stringify((await pageQuery(pool, job.userId)).rows);
  await redis.set('direct:cached', cached, 'EX', 300);

  const operations: Record<Job['name'], () => Promise<unknown>> = {
    query: () => pageQuery(pool, job.userId),
    cache_hit: async () => JSON.parse((await redis.get('direct:cached')) ?? '[]'),
    transaction: async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query("INSERT INTO projects (user_id, title) VALUES ($1::uuid, 'Direct project') RETURNING *", [job.userId]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      await redis.set(`direct:project:${job.userId}`, '{"status":"created"}', 'EX', 3600);
    },
  };
  const operation = operations[job.name];
  const latencies: number[] = [];
  let errors = 0;
  const deadline = Date.now() + job.durationSeconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: job.connections }, async () => {
      while (Date.now() < deadline) {
        const t = process.hrtime.bigint();
        try {
          await operation();
          latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const result: LoadResult = {
    name: job.name,
    requests: latencies.length,
    errors,
    rps: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await pool.end();
  redis.disconnect();
}

/**
 * The statement the gateway sends for the benchmark's query (a user's 20 newest projects with the
 * total), written out by hand: its filter, its scoping condition, its window count, its tie-breaker.
 */
function pageQuery(pool: Pool, userId: string) {
  return pool.query(
    `SELECT t."id", t."user_id", t."title", t."description", t."status", t."visibility", t."source_content_id", t."generated_content_id",
            t."settings", t."metadata", t."created_at", t."updated_at", t."deleted_at", count(*) OVER () AS "__vb_total"
       FROM "projects" t WHERE t."user_id" = $1::uuid AND t."user_id" = $2::uuid
      ORDER BY t."created_at" DESC, t."id" ASC LIMIT $3 OFFSET $4`,
    [userId, userId, 20, 0],
  );
}

void main();
