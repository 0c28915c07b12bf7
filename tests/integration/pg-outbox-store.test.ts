import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PgOutboxStore, RELAY_LOCK_KEY } from '../../src/adapters/postgres/pg-outbox-store';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';
import { outboxStoreContract } from '../contract/outbox-store.contract';

/** A database of its own: the relay under test must not take (or leave) entries of the API tests. */
let scratch: MigratedScratchDatabase;
let db: PgSqlDatabase;
let sql: Client;

beforeAll(async () => {
  scratch = await migratedScratchDatabase();
  db = scratch.db;
  sql = new Client({ connectionString: scratch.url });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
  await scratch.close();
});

outboxStoreContract('PgOutboxStore', async () => {
  await sql.query('TRUNCATE data_outbox RESTART IDENTITY');
  return {
    store: new PgOutboxStore(db, db, 200),
    begin: async () => {
      const session = await db.openSession();
      await session.begin();
      return session;
    },
    elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    // Another instance's relay: the same transaction-level advisory lock, on a connection of its own.
    holdRelayLock: async () => {
      const other = new Client({ connectionString: scratch.url });
      await other.connect();
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock($1::bigint)', [RELAY_LOCK_KEY]);
      return async () => {
        await other.query('COMMIT');
        await other.end();
      };
    },
    close: async () => undefined,
  };
});

describe('PgOutboxStore, entries sent with the COMMIT', () => {
  const set = (key: string, value: string) => ({ kind: 'redis' as const, command: { op: 'set' as const, key, value, ttlSeconds: null } });
  const txId = () => `tx_${randomBytes(12).toString('hex')}`;
  const stored = async (transactionId: string) =>
    (await sql.query('SELECT seq, effect FROM data_outbox WHERE transaction_id = $1 ORDER BY id', [transactionId])).rows;

  it('stores them with the commit, and pendingThrough then answers the older unapplied entries on the key first', async () => {
    const store = new PgOutboxStore(db, db, 200);
    const key = `k:${randomBytes(4).toString('hex')}`;
    const earlier = txId();
    const first = await db.openSession();
    await first.begin();
    await store.record(first, earlier, [{ seq: 1, effect: set(key, 'a') }]);
    await first.commit();
    await first.release();

    const later = txId();
    const session = await db.openSession();
    await session.begin();
    // A value with quotes and a backslash: inlined as a literal, stored as given.
    await store.record(session, later, [{ seq: 0, effect: { kind: 'invalidate', tables: ['projects'] } }, { seq: 2, effect: set(key, `it's "b" \\ c`) }], { withCommit: true });
    // Nothing is sent before the COMMIT.
    await expect(stored(later)).resolves.toEqual([]);
    await session.commit();
    await session.release();
    const pending = await store.pendingThrough(later, 10);
    expect(pending.map((e) => [e.transactionId, e.seq])).toEqual([[earlier, 1], [later, 0], [later, 2]]);
    expect(pending[2]!.effect).toEqual(set(key, `it's "b" \\ c`));
    await expect(stored(later)).resolves.toEqual([
      { seq: 0, effect: { kind: 'invalidate', tables: ['projects'] } },
      { seq: 2, effect: set(key, `it's "b" \\ c`) },
    ]);
  });

  it('stores nothing when the transaction rolls back, or its COMMIT fails', async () => {
    const store = new PgOutboxStore(db, db, 200);
    const rolledBack = txId();
    const session = await db.openSession();
    await session.begin();
    await store.record(session, rolledBack, [{ seq: 1, effect: set('k:rb', 'x') }], { withCommit: true });
    await session.rollback();
    await session.release();
    await expect(stored(rolledBack)).resolves.toEqual([]);

    // A statement that fails in the commit's round trip (the same transaction id and seq twice): no COMMIT.
    const twice = txId();
    const other = await db.openSession();
    await other.begin();
    await store.record(other, twice, [{ seq: 1, effect: set('k:dup', 'x') }], { withCommit: true });
    await store.record(other, twice, [{ seq: 1, effect: set('k:dup', 'y') }], { withCommit: true });
    await expect(other.commit()).rejects.toThrow();
    await other.release();
    await expect(stored(twice)).resolves.toEqual([]);
  });
});
