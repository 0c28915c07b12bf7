import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';

describe('API documentation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ migrate: false });
  });
  afterAll(() => t.close());

  it('serves an OpenAPI 3.1 document listing every endpoint with its security', async () => {
    const res = await request(t.app).get('/api/v1/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    const paths = res.body.paths as Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
    for (const path of ['/health', '/health/live', '/health/ready', '/metrics', '/api/v1/openapi.json']) {
      expect(paths).toHaveProperty([path, 'get']);
    }
    expect(paths['/metrics']!.get!.security).toEqual([{ bearerAuth: [] }]);
    expect(paths['/metrics']!.get!.responses).toHaveProperty('401');
    expect(paths['/health']!.get!.security).toBeUndefined();
    expect(res.body.components.schemas).toHaveProperty('ErrorBody');
    expect(res.body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await request(t.app).get('/docs/').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('swagger-ui');
    const init = await request(t.app).get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('/api/v1/openapi.json');
  });
});
