import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { aToken, bearer } from '../support/tokens';
import { freePort } from '../support/free-port';
import { ServiceProcess } from '../support/service-process';

/**
 * The first command of the README on a fresh machine: no DATABASE_URL, no REDIS_URL. The service
 * starts PostgreSQL from node_modules, migrates it, serves, shuts down cleanly, and starts again on
 * the same data with the same development secret.
 */
describe('embedded default start path', () => {
  let home: string;
  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-embedded-'));
    // As root, PostgreSQL runs as the postgres user, which must be able to enter this folder.
    fs.chmodSync(home, 0o755);
  });
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  it('starts, migrates, serves, stops on SIGTERM and restarts on the same data', async () => {
    const port = await freePort();
    const dataDir = path.join(home, 'data');
    const service = new ServiceProcess({ PORT: String(port), PROMETHEUS_PORT: '0', DATA_DIR: dataDir, NODE_ENV: 'development' });
    const base = `http://127.0.0.1:${port}`;
    try {
      service.start();
      const health = (await (await service.waitFor(`${base}/health`)).json()) as { status: string; checks: Record<string, Record<string, unknown>> };
      expect(health.status).toBe('UP');
      expect(health.checks.postgresql!.status).toBe('UP');
      expect(health.checks.redis).toMatchObject({ status: 'UP', mode: 'in_process' });
      expect(health.checks.migrations!.migrations).toBe('up_to_date');

      const secret = fs.readFileSync(path.join(dataDir, 'jwt-secret'), 'utf8').trim();
      expect(fs.statSync(path.join(dataDir, 'jwt-secret')).mode & 0o777).toBe(0o600);
      const token = await aToken({ role: 'admin', secret });
      const status = await fetch(`${base}/api/v1/migrations/status`, { headers: bearer(token) });
      expect(status.status).toBe(200);
      const body = (await status.json()) as { current_version: string; pending_migrations: unknown[] };
      expect(body.current_version).toMatch(/^\d{8}_\d{3}$/);
      expect(body.pending_migrations).toEqual([]);
      // The embedded server preloads pg_stat_statements, so /db/status reads the server's own statistics.
      const dbStatus = (await (await fetch(`${base}/api/v1/db/status`, { headers: bearer(token) })).json()) as { slow_queries: { source: string; statements: unknown[] } };
      expect(dbStatus.slow_queries.source).toBe('pg_stat_statements');
      expect(dbStatus.slow_queries.statements.length).toBeGreaterThan(0);

      expect(await service.stop('SIGTERM')).toBe(0);
      expect(service.output).toContain('shutdown complete');
      // The cluster was stopped too, not left running without its parent.
      expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);

      service.start();
      await service.waitFor(`${base}/health`);
      const again = await fetch(`${base}/api/v1/migrations/status`, { headers: bearer(token) });
      expect(again.status).toBe(200);
      expect(((await again.json()) as { current_version: string }).current_version).toBe(body.current_version);
    } finally {
      await service.stop('SIGTERM').catch(() => undefined);
    }
  }, 180_000);

  it('refuses to start with a message naming the variable when configuration is bad', async () => {
    const service = new ServiceProcess({ PORT: 'eighty', DATA_DIR: path.join(home, 'bad') });
    service.start();
    const code = await new Promise<number | null>((resolve) => {
      const poll = setInterval(() => {
        if (service.exitCode !== undefined) {
          clearInterval(poll);
          resolve(service.exitCode);
        }
      }, 100);
    });
    expect(code).toBe(78);
    expect(service.output).toContain('PORT');
    expect(service.output).toContain('"eighty"');
  }, 60_000);
});
