import { randomBytes } from 'node:crypto';
import { createDatabase, publishRun } from './run-resources';
import { discoverServers, type TestServers } from './servers';

declare global {
  // Shared with global-teardown, which jest runs in the same process.
  var __vbTestServers: TestServers | undefined;
}

/** One database and one Redis key prefix per `jest` run, so concurrent runs never meet. */
export default async function globalSetup(): Promise<void> {
  const servers = await discoverServers();
  globalThis.__vbTestServers = servers;
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const database = `vb_test_${runId}`;
  const databaseUrl = await createDatabase(servers.postgresAdminUrl, database);
  publishRun({ runId, adminUrl: servers.postgresAdminUrl, databaseUrl, redisUrl: servers.redisUrl, keyPrefix: `vbtest:${runId}:` });
}
