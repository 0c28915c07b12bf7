import fs from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { PgAuditLog } from '../src/adapters/postgres/pg-audit-log';
import { PgSqlDatabase } from '../src/adapters/postgres/pg-sql-database';
import type { SealedAuditEntry } from '../src/domain/audit/audit-entry';
import { RecordingLogger } from '../tests/support/recording-logger';
import { createBenchDatabase } from './support/bench-database';

/**
 * `npx tsx bench/audit-append.bench.ts`: what the audit chain costs a write transaction in PostgreSQL
 * alone, without the HTTP service around it (whose noise hides it on a busy machine). CLIENTS loops
 * each run `BEGIN; INSERT … RETURNING id; COMMIT`, without (A) and with (B) the audit append sent with
 * the COMMIT exactly as the gateway sends it, and the service's chainer linking entries every second
 * meanwhile; A and B interleaved ROUNDS times, medians compared. C ("serialized") is the design
 * this replaced, for the record: the same append behind a transaction-scoped advisory lock, i.e. a
 * chain head held until each writer's COMMIT has flushed.
 */
const CLIENTS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SECONDS = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const AUDIT_MIGRATIONS = ['20240130_001_audit_log.sql', '20240204_010_audit_chain_cheaper.sql'].slice(0, process.env.BENCH_AUDIT_FIRST_ONLY === '1' ? 1 : undefined);

async function main(): Promise<void> {
  const db = await createBenchDatabase();
  const pool = new Pool({ connectionString: db.url, max: CLIENTS });
  const chainerDb = new PgSqlDatabase({ connectionString: db.url, min: 0, max: 2, idleTimeoutMs: 1_000, connectTimeoutMs: 5_000, statementTimeoutMs: 30_000, applicationName: 'bench-chainer' }, new RecordingLogger());
  const chainer = new PgAuditLog(chainerDb, { current: () => ({ actor: { sub: null, role: null, serviceName: null }, requestId: null, clientIp: null, userAgent: null }) }, { now: () => new Date() });
  try {
    // Every audit migration, in order: the table as the service has it.
    const migrations = path.join(__dirname, '..', 'migrations');
    for (const file of AUDIT_MIGRATIONS) await pool.query(fs.readFileSync(path.join(migrations, file), 'utf8'));
    await pool.query('CREATE TABLE bench_rows (id BIGSERIAL PRIMARY KEY, title TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())');

    const results: Record<Mode, number[]> = { plain: [], audited: [], serialized: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const mode of ['plain', 'audited', 'serialized'] as const) {
        const ticking = mode === 'audited' ? setInterval(() => void chainer.chain().catch(() => undefined), 1_000) : null;
        const rate = await load(pool, mode);
        if (ticking) clearInterval(ticking);
        results[mode].push(rate);
        process.stdout.write(`round ${round} ${mode}: ${rate.toFixed(0)} tx/s\n`);
      }
    }
    await chainer.chain();
    const verdict = await chainer.verify();
    const chain = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_log');
    const plain = median(results.plain);
    const audited = median(results.audited);
    const serialized = median(results.serialized);
    process.stdout.write(`\n${CLIENTS} clients, ${SECONDS}s per run, ${ROUNDS} rounds; ${chain.rows[0]?.n} entries, chain ${verdict.ok ? 'intact' : 'BROKEN'} (${verdict.checked} checked)\n`);
    process.stdout.write(`median plain ${plain.toFixed(0)} tx/s, audited ${audited.toFixed(0)} tx/s, audited/plain ${(audited / plain).toFixed(2)}; serialized ${serialized.toFixed(0)} tx/s, serialized/plain ${(serialized / plain).toFixed(2)}\n`);
  } finally {
    await pool.end();
    await chainerDb.close();
    await db.drop();
  }
}

type Mode = 'plain' | 'audited' | 'serialized';

async function load(pool: Pool, mode: Mode): Promise<number> {
  const until = Date.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const client = await pool.connect();
      try {
        while (Date.now() < until) {
          await client.query('BEGIN');
          const { rows } = await client.query<{ id: string }>('INSERT INTO bench_rows (title) VALUES ($1) RETURNING id::text AS id', ['Bench project']);
          const append = `SELECT audit_append(${client.escapeLiteral(JSON.stringify([entry(rows[0]!.id)]))}::jsonb)`;
          const commit = mode === 'plain' ? 'COMMIT' : mode === 'audited' ? `${append};\nCOMMIT` : `SELECT pg_advisory_xact_lock(7236015412380462);\n${append};\nCOMMIT`;
          await client.query(commit);
          done += 1;
        }
      } finally {
        client.release();
      }
    }),
  );
  return done / SECONDS;
}

/** The shape of a data.transaction entry as RunTransaction writes it. */
function entry(rowId: string) {
  const sealed: SealedAuditEntry = {
    occurredAt: new Date(),
    actor: { sub: '5d1a4c3e-0000-4000-8000-000000000001', role: 'user', serviceName: null },
    action: 'data.transaction',
    targetType: 'transaction',
    targetId: `tx_${rowId}`,
    requestId: `req_${rowId}`,
    clientIp: '127.0.0.1',
    userAgent: 'autocannon',
    outcome: 'success',
    details: { tables: ['bench_rows'], operations: [{ operation: 1, database: 'postgresql', table: 'bench_rows', kind: 'insert', row_count: 1, row_ids: [rowId] }] },
  };
  return {
    occurred_at: sealed.occurredAt.toISOString(), actor_sub: sealed.actor.sub, actor_role: sealed.actor.role, actor_service: null, action: sealed.action,
    target_type: sealed.targetType, target_id: sealed.targetId, request_id: sealed.requestId, client_ip: sealed.clientIp, user_agent: sealed.userAgent,
    outcome: sealed.outcome, details: sealed.details,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
