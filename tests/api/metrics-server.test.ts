import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { PrometheusMetrics } from '../../src/adapters/metrics/prometheus-metrics';
import type { RunningServer } from '../../src/infrastructure/http-server';
import { startMetricsServer } from '../../src/infrastructure/metrics-server';
import { TOKENS } from '../../src/infrastructure/tokens';
import { capturingLogger } from '../support/capturing-logger';
import { sampleValue } from '../support/prometheus-text';
import { buildTestApp, type TestApp } from '../support/test-app';

function get(port: number, path = '/metrics'): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
      })
      .on('error', reject);
  });
}

/** The PROMETHEUS_PORT scrape endpoint main.ts starts next to the API. */
describe('metrics server', () => {
  const captured = capturingLogger();
  let t: TestApp;
  let server: RunningServer;
  beforeAll(async () => {
    t = await buildTestApp({ migrate: false });
    server = await startMetricsServer(t.container.get<PrometheusMetrics>(TOKENS.Metrics), 0, t.config.metrics.host, captured.logger);
  });
  afterAll(async () => {
    await server.stop(1_000);
    await t.close();
  });

  it('listens on PROMETHEUS_HOST, 127.0.0.1 unless configured', () => {
    expect(t.config.metrics.host).toBe('127.0.0.1');
    expect((server.server.address() as AddressInfo).address).toBe('127.0.0.1');
  });

  it('serves the same registry as the admin /metrics, without a token', async () => {
    await request(t.app).get('/health/live').expect(200);
    const res = await get(server.port);
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(sampleValue(res.body, 'http_request_duration_seconds_count', { route: '/health/live', status_code: '200' })).toBe(1);
    expect(sampleValue(res.body, 'db_pool_max_connections')).toBe(5);
  });

  it('answers 500 and logs, rather than hang, when the registry cannot render', async () => {
    const broken = await startMetricsServer(
      { contentType: 'text/plain', render: () => Promise.reject(new Error('collector failed')) },
      0,
      '127.0.0.1',
      captured.logger,
    );
    try {
      const res = await get(broken.port);
      expect(res).toMatchObject({ status: 500, body: 'metrics unavailable\n' });
      expect(captured.lines()).toContainEqual(expect.objectContaining({ level: 'error', msg: 'rendering metrics failed', err: expect.objectContaining({ message: 'collector failed' }) }));
    } finally {
      await broken.stop(1_000);
    }
  });
});
