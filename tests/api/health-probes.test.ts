import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Lifecycle } from '../../src/infrastructure/lifecycle';
import { findProjectRoot } from '../../src/infrastructure/paths';
import { TOKENS } from '../../src/infrastructure/tokens';
import { expectStandardError } from '../support/error-body';
import { currentRun } from '../support/run-resources';
import { TcpProxy } from '../support/tcp-proxy';
import { buildTestApp, type TestApp } from '../support/test-app';

/** /health/live and /health/ready as a balancer or Kubernetes calls them: no token, plain GETs. */
describe('GET /health/live and /health/ready', () => {
  describe('on a healthy, migrated instance', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp({ background: false });
    });
    afterAll(() => t.close());

    it('is alive and ready, and neither answer may be cached', async () => {
      const live = await request(t.app).get('/health/live').expect(200, { status: 'UP' });
      expect(live.headers['cache-control']).toBe('no-store');
      const ready = await request(t.app).get('/health/ready').expect(200, { status: 'UP' });
      expect(ready.headers['cache-control']).toBe('no-store');
    });

    it('stops being ready once a shutdown has begun, and stays alive', async () => {
      t.container.get<Lifecycle>(TOKENS.Lifecycle).beginShutdown();
      const res = await request(t.app).get('/health/ready');
      expect(expectStandardError(res, 503, 'SERVICE_NOT_READY').details).toEqual({ reasons: ['shutting_down'] });
      await request(t.app).get('/health/live').expect(200, { status: 'UP' });
    });
  });

  describe('with a migration the database has not applied', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vb-migrations-'));
    let t: TestApp;
    beforeAll(async () => {
      cpSync(path.join(findProjectRoot(__dirname), 'migrations'), dir, { recursive: true });
      writeFileSync(path.join(dir, '29991231_001_not_yet_applied.sql'), '-- description: a migration the code ships and the database lacks\nSELECT 1;\n');
      t = await buildTestApp({ env: { MIGRATIONS_DIR: dir }, migrate: false, background: false });
    });
    afterAll(async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('is alive but not ready, naming the pending migrations; /health says DEGRADED', async () => {
      const res = await request(t.app).get('/health/ready');
      expect(expectStandardError(res, 503, 'SERVICE_NOT_READY').details).toEqual({ reasons: ['migrations_pending'] });
      await request(t.app).get('/health/live').expect(200, { status: 'UP' });
      const health = await request(t.app).get('/health').expect(200);
      expect(health.body.checks.migrations).toMatchObject({ migrations: 'pending', pending_count: 1 });
    });
  });

  describe('while PostgreSQL refuses connections', () => {
    const proxy = TcpProxy.forUrl(currentRun().databaseUrl);
    let t: TestApp;
    beforeAll(async () => {
      await proxy.start();
      t = await buildTestApp({ env: { DATABASE_URL: proxy.rewrite(currentRun().databaseUrl), HEALTH_CHECK_TIMEOUT_MS: '1000' }, background: false });
      await proxy.cut();
    });
    afterAll(async () => {
      await proxy.restore();
      await t.close();
      await proxy.stop();
    });

    it('is not ready (postgresql_down, migrations unreadable) but alive; ready again once it is back', async () => {
      const res = await request(t.app).get('/health/ready');
      expect(expectStandardError(res, 503, 'SERVICE_NOT_READY').details).toEqual({ reasons: ['postgresql_down', 'migrations_unknown'] });
      await request(t.app).get('/health/live').expect(200, { status: 'UP' });
      await proxy.restore();
      await request(t.app).get('/health/ready').expect(200, { status: 'UP' });
    }, 20_000);
  });
});
