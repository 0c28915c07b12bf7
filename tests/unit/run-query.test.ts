import { InMemorySchemaCatalog } from '../../src/adapters/in-memory/fakes/in-memory-schema-catalog';
import { InMemoryTableReader } from '../../src/adapters/in-memory/fakes/in-memory-table-reader';
import { InMemoryTables } from '../../src/adapters/in-memory/fakes/in-memory-tables';
import { ReadCache } from '../../src/application/database/reads/read-cache';
import { RunQuery } from '../../src/application/database/reads/run-query';
import { LeaseNotFound } from '../../src/domain/database/lease';
import { NotFound, ValidationFailed } from '../../src/domain/shared/errors';
import { capturingLogger } from '../support/capturing-logger';
import { aCaller, CountingObserver, OneLease, RecordingTableReader, SwitchableQueryCache } from '../support/read-fakes';
import { shippedLikeSchema } from '../support/schema-fixture';

const ALICE = '3f1d2c4b-5a6e-4f70-8123-456789abcdef';
const BOB = '9b2f0c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const MINE = { id: '0a0b0c0d-0000-4000-8000-000000000001', user_id: ALICE, title: 'Mine', status: 'draft' };
const THEIRS = { id: '0a0b0c0d-0000-4000-8000-000000000002', user_id: BOB, title: 'Theirs', status: 'draft' };

/** RunQuery over the in-memory reader: Alice and Bob, one project each; a lease of Alice's unless `withLeases` is false. */
function world(withLeases = true) {
  const tables = new InMemoryTables();
  tables.table('users').push({ id: ALICE }, { id: BOB });
  tables.table('projects').push({ ...MINE }, { ...THEIRS });
  const leases = withLeases ? new OneLease(ALICE, tables) : null;
  const reader = new RecordingTableReader(new InMemoryTableReader(tables));
  const store = new SwitchableQueryCache();
  const observer = new CountingObserver();
  const cache = new ReadCache(store, observer, null, capturingLogger('silent').logger, { ttlSeconds: 300 });
  return { tables, leases, reader, store, observer, cache, runQuery: new RunQuery(new InMemorySchemaCatalog(shippedLikeSchema()), reader, cache, leases) };
}

const user = aCaller('user', ALICE);
const admin = aCaller('admin', BOB);
const titlesIn = (rowsJson: string) => (JSON.parse(rowsJson) as Array<{ title: string }>).map((row) => row.title);

describe('RunQuery', () => {
  it('scopes a user to the rows they own, and an admin to none of them', async () => {
    const { runQuery, reader } = world();
    const mine = await runQuery.execute({ caller: user, query: { table: 'projects' }, count: true });
    const every = await runQuery.execute({ caller: admin, query: { table: 'projects' }, count: true });
    expect(reader.calls.map((c) => c.query.rowFilter)).toEqual([{ kind: 'column', column: 'user_id', type: 'uuid', userId: ALICE }, { kind: 'none' }]);
    expect([titlesIn(mine.rowsJson), mine.total]).toEqual([['Mine'], 1]);
    expect([titlesIn(every.rowsJson).sort(), every.total]).toEqual([['Mine', 'Theirs'], 2]);
  });

  it('makes a child table depend on its parent for a user, not for an admin', async () => {
    const { runQuery, reader, tables } = world();
    tables.table('content_analysis').push({ id: 'a0000000-0000-4000-8000-000000000001', project_id: MINE.id }, { id: 'a0000000-0000-4000-8000-000000000002', project_id: THEIRS.id });
    const mine = await runQuery.execute({ caller: user, query: { table: 'content_analysis' }, count: true });
    const every = await runQuery.execute({ caller: admin, query: { table: 'content_analysis' }, count: true });
    expect(reader.calls.map((c) => c.query.dependsOn)).toEqual([['content_analysis', 'projects'], ['content_analysis']]);
    expect(reader.calls[0]!.query.rowFilter).toMatchObject({ kind: 'parent', parentTable: 'projects', parentKey: 'id', parentOwnerColumn: 'user_id' });
    expect([mine.total, every.total]).toEqual([1, 2]);
  });

  it('hides a table without an ownership rule from users exactly as a missing table, not from admins', async () => {
    const { runQuery } = world();
    const failure = async (table: string) => (await runQuery.execute({ caller: user, query: { table }, count: true }).catch((e: unknown) => e)) as ValidationFailed;
    const [hidden, missing] = await Promise.all([failure('app_settings'), failure('app_settingz')]);
    expect(hidden).toBeInstanceOf(ValidationFailed);
    expect(JSON.stringify(hidden.details).replace('app_settings', 'T')).toBe(JSON.stringify(missing.details).replace('app_settingz', 'T'));
    await expect(runQuery.execute({ caller: admin, query: { table: 'app_settings' }, count: true })).resolves.toMatchObject({ cache: 'miss' });
    await expect(runQuery.execute({ caller: admin, query: { table: 'schema_migrations' }, count: true })).rejects.toBeInstanceOf(ValidationFailed);
  });

  it('answers the same query from the cache, whatever the order of its filters', async () => {
    const { runQuery, reader, observer } = world();
    const first = await runQuery.execute({ caller: user, query: { table: 'projects', filters: { status: 'draft', title: 'Mine' } }, count: true });
    const second = await runQuery.execute({ caller: user, query: { table: 'projects', filters: { title: 'Mine', status: 'draft' } }, count: true });
    expect([first.cache, second.cache]).toEqual(['miss', 'hit']);
    expect(second).toEqual({ ...first, cache: 'hit' });
    expect(titlesIn(second.rowsJson)).toEqual(['Mine']);
    expect(reader.calls).toHaveLength(1);
    expect([observer.misses, observer.hits]).toEqual([1, 1]);
  });

  it('keeps apart what differs: scope, count mode, page', async () => {
    const { runQuery, reader } = world();
    const base = { query: { table: 'projects' }, count: true };
    await runQuery.execute({ caller: user, ...base });
    await runQuery.execute({ caller: admin, ...base });
    await runQuery.execute({ caller: user, ...base, count: false });
    await runQuery.execute({ caller: user, query: { table: 'projects', page: 2 }, count: true });
    expect(reader.calls).toHaveLength(4);
  });

  it('reads again after the table is invalidated, and bypasses on request', async () => {
    const { runQuery, reader, cache } = world();
    const run = (bypassCache = false) => runQuery.execute({ caller: user, query: { table: 'projects' }, count: true, bypassCache });
    await run();
    await cache.invalidate(['projects']);
    expect((await run()).cache).toBe('miss');
    expect((await run(true)).cache).toBe('bypass');
    expect(reader.calls).toHaveLength(3);
  });

  it('passes paging and totals through', async () => {
    const { runQuery, tables } = world();
    // Ten more of Alice's, so her page 3 of 5 holds exactly her eleventh project (ids order them).
    for (let n = 10; n < 20; n++) tables.table('projects').push({ id: `0a0b0c0d-0000-4000-8000-0000000000${n}`, user_id: ALICE, title: `Mine ${n}` });
    await expect(runQuery.execute({ caller: user, query: { table: 'projects', fields: ['id', 'title'], page: 3, limit: 5 }, count: true })).resolves.toEqual({
      rowsJson: JSON.stringify([{ id: '0a0b0c0d-0000-4000-8000-000000000019', title: 'Mine 19' }]),
      total: 11,
      page: 3,
      limit: 5,
      cache: 'miss',
    });
  });

  it('runs on a lease\'s session without touching the cache', async () => {
    const { runQuery, reader, store, leases } = world();
    const result = await runQuery.execute({ caller: user, query: { table: 'projects' }, count: true, connectionId: 'conn_1' });
    expect(result.cache).toBe('bypass');
    expect(reader.calls[0]!.session).toBe(leases!.session);
    expect([titlesIn(result.rowsJson), result.total]).toEqual([['Mine'], 1]);
    expect(store.gets).toBe(0);
  });

  it('answers 404 for a lease that is not the caller\'s, or when leases are not available', async () => {
    await expect(world().runQuery.execute({ caller: aCaller('user', BOB), query: { table: 'projects' }, count: true, connectionId: 'conn_1' })).rejects.toBeInstanceOf(LeaseNotFound);
    await expect(world(false).runQuery.execute({ caller: user, query: { table: 'projects' }, count: true, connectionId: 'conn_1' })).rejects.toBeInstanceOf(NotFound);
  });

  it('validates before reading anything', async () => {
    const { runQuery, reader } = world();
    await expect(runQuery.execute({ caller: user, query: { table: 'projects', filters: { nope: 1 } }, count: true })).rejects.toBeInstanceOf(ValidationFailed);
    expect(reader.calls).toHaveLength(0);
  });
});
