import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { createRedisClient, waitUntilReady } from '../../src/adapters/redis/redis-client';
import { RedisKeyValueStore } from '../../src/adapters/redis/redis-key-value-store';
import { DatabaseProbe } from '../../src/application/health/database-probe';
import { KeyValueProbe } from '../../src/application/health/key-value-probe';
import { ObjectStoreProbe } from '../../src/application/health/object-store-probe';
import { dependencyProbeContract } from '../contract/dependency-probe.contract';
import { capturingLogger } from '../support/capturing-logger';
import { currentRun } from '../support/run-resources';
import { TcpProxy } from '../support/tcp-proxy';

/** The health probes over the real adapters, the servers reached through a proxy the test can cut. */
const silent = capturingLogger('silent').logger;

dependencyProbeContract('DatabaseProbe over PgSqlDatabase (PostgreSQL)', async () => {
  const proxy = TcpProxy.forUrl(currentRun().databaseUrl);
  await proxy.start();
  const db = new PgSqlDatabase(
    { connectionString: proxy.rewrite(currentRun().databaseUrl), min: 0, max: 2, idleTimeoutMs: 1_000, connectTimeoutMs: 1_000, statementTimeoutMs: 5_000, applicationName: 'vb-test-probe' },
    silent,
  );
  return {
    probe: new DatabaseProbe(db),
    breakDependency: () => proxy.cut(),
    close: async () => {
      await db.close();
      await proxy.stop();
    },
  };
});

dependencyProbeContract('KeyValueProbe over RedisKeyValueStore (Redis)', async () => {
  const proxy = TcpProxy.forUrl(currentRun().redisUrl);
  await proxy.start();
  const client = createRedisClient({ url: proxy.rewrite(currentRun().redisUrl), keyPrefix: currentRun().keyPrefix, connectTimeoutMs: 1_000 }, silent);
  if (!(await waitUntilReady(client, 5_000))) throw new Error('Redis behind the proxy is not ready');
  const store = new RedisKeyValueStore(client);
  return {
    probe: new KeyValueProbe(store),
    breakDependency: () => proxy.cut(),
    close: async () => {
      client.disconnect();
      await proxy.stop();
    },
  };
});

dependencyProbeContract('ObjectStoreProbe over LocalDiskObjectStore', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-probe-'));
  const store = new LocalDiskObjectStore(path.join(root, 'objects'));
  await store.ensureReady();
  return {
    probe: new ObjectStoreProbe(store.provider, store, 'primary', () => store.capacity()),
    breakDependency: () => fs.rm(root, { recursive: true, force: true }),
    close: () => fs.rm(root, { recursive: true, force: true }),
  };
});
