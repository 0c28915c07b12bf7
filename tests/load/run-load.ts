import { randomBytes } from 'node:crypto';
import { discoverServers } from '../support/servers';
import { formatReport, runLoad } from './load-scenario';

/**
 * `npm run test:load`: the load suite's long run (LOAD_CLIENTS clients for LOAD_SECONDS seconds,
 * default 200 × 60) on the PostgreSQL and Redis the tests find. Prints the table and exits 1 when an
 * invariant fails.
 */
async function main(): Promise<void> {
  const clients = Number(process.env.LOAD_CLIENTS ?? 200);
  const seconds = Number(process.env.LOAD_SECONDS ?? 60);
  const poolMax = Number(process.env.LOAD_DB_POOL_MAX ?? 20);
  const servers = await discoverServers();
  try {
    const report = await runLoad(
      { adminUrl: servers.postgresAdminUrl, redisUrl: servers.redisUrl, tag: `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`, poolMax },
      { clients, seconds, log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`) },
    );
    process.stdout.write(`\n${formatReport(report)}\n`);
    process.exitCode = report.violations.length === 0 ? 0 : 1;
  } finally {
    await servers.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
