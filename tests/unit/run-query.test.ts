import { ReadCache } from '../../src/application/database/reads/read-cache';
import { RunQuery } from '../../src/application/database/reads/run-query';
import type { LeaseSessions } from '../../src/application/ports/lease-sessions.port';
import type { SchemaCatalog } from '../../src/application/ports/schema-catalog.port';
import { NotFound, ValidationFailed } from '../../src/domain/shared/errors';
import { capturingLogger } from '../support/capturing-logger';
import { aCaller, CountingObserver, OneLease, RecordingTableReader, SwitchableQueryCache } from '../support/read-fakes';
import { shippedLikeSchema } from '../support/schema-fixture';

const ALICE = '3f1d2c4b-5a6e-4f70-8123-456789abcdef';
const BOB = '9b2f0c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';

function world(leases: LeaseSessions | null = new OneLease(ALICE)) {
  const schema = shippedLikeSchema();
  const catalog: SchemaCatalog = { snapshot: async () => schema, refresh: async () => schema };
  const reader = new RecordingTableReader({ projects: [{ id: 'p1', title: 'Mine' }], users: [{ id: ALICE }] });
  const store = new SwitchableQueryCache();
  const observer = new CountingObserver();
  const cache = new ReadCache(store, observer, null, capturingLogger('silent').logger, { ttlSeconds: 300 });
  return { reader, store, observer, cache, runQuery: new RunQuery(catalog, reader, cache, leases) };
}

const user = aCaller('user', ALICE);
const admin = aCaller('admin', BOB);

describe('RunQuery', () => {
  it('scopes a user to the rows they own, and an admin to none of them', async () => {
    const { runQuery, reader } = world();
    await runQuery.execute({ caller: user, query: { table: 'projects' }, count: true });
    await runQuery.execute({ caller: admin, query: { table: 'projects' }, count: true });
    expect(reader.calls.map((c) => c.query.rowFilter)).toEqual([{ kind: 'column', column: 'user_id', type: 'uuid', userId: ALICE }, { kind: 'none' }]);
  });

  it('makes a child table depend on its parent for a user, not for an admin', async () => {
    const { runQuery, reader } = world();
    await runQuery.execute({ caller: user, query: { table: 'content_analysis' }, count: true });
    await runQuery.execute({ caller: admin, query: { table: 'content_analysis' }, count: true });
    expect(reader.calls.map((c) => c.query.dependsOn)).toEqual([['content_analysis', 'projects'], ['content_analysis']]);
    expect(reader.calls[0]!.query.rowFilter).toMatchObject({ kind: 'parent', parentTable: 'projects', parentKey: 'id', parentOwnerColumn: 'user_id' });
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
    const { runQuery } = world();
    await expect(runQuery.execute({ caller: user, query: { table: 'projects', page: 3, limit: 5 }, count: true })).resolves.toEqual({
      rowsJson: JSON.stringify([{ id: 'p1', title: 'Mine' }]),
      total: 1,
      page: 3,
      limit: 5,
      cache: 'miss',
    });
  });

  it('runs on a lease\'s session without touching the cache', async () => {
    const leases = new OneLease(ALICE);
    const { runQuery, reader, store } = world(leases);
    const result = await runQuery.execute({ caller: user, query: { table: 'projects' }, count: true, connectionId: 'conn_1' });
    expect(result.cache).toBe('bypass');
    expect(reader.calls[0]!.session).toBe(leases.session);
    expect(store.gets).toBe(0);
  });

  it('answers 404 for a lease that is not the caller\'s, or when leases are not available', async () => {
    await expect(world().runQuery.execute({ caller: aCaller('user', BOB), query: { table: 'projects' }, count: true, connectionId: 'conn_1' })).rejects.toBeInstanceOf(NotFound);
    await expect(world(null).runQuery.execute({ caller: user, query: { table: 'projects' }, count: true, connectionId: 'conn_1' })).rejects.toBeInstanceOf(NotFound);
  });

  it('validates before reading anything', async () => {
    const { runQuery, reader } = world();
    await expect(runQuery.execute({ caller: user, query: { table: 'projects', filters: { nope: 1 } }, count: true })).rejects.toBeInstanceOf(ValidationFailed);
    expect(reader.calls).toHaveLength(0);
  });
});
