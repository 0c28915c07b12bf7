import request from 'supertest';
import { healthRoutes } from '../../src/adapters/http/routes/health.routes';
import type { CheckHealth } from '../../src/application/health/check-health';
import { TOKENS } from '../../src/infrastructure/tokens';
import { z } from '../../src/adapters/http/openapi/zod';
import { capturingLogger } from '../support/capturing-logger';
import { expectStandardError } from '../support/error-body';
import { eventually } from '../support/eventually';
import { buildRouteTestApp } from '../support/route-test-app';
import type { TestApp } from '../support/test-app';

const INTERNAL = 'pg exploded at /srv/app/secret-internals.ts with password hunter2';

/** Failures of the HTTP exchange itself, over the service's real middleware, with BODY_LIMIT=1kb. */
describe('HTTP error handling', () => {
  const captured = capturingLogger();
  let t: TestApp;
  beforeAll(async () => {
    t = await buildRouteTestApp(
      (routes, container) => {
        healthRoutes(routes, { checkHealth: container.get<CheckHealth>(TOKENS.CheckHealth), service: 'visiobook-data-platform', version: 'test' });
        routes.define({
          method: 'post',
          path: '/test/echo',
          tag: 'Test',
          auth: 'none',
          summary: 'echoes a JSON body',
          body: z.object({ text: z.string() }),
          responses: { 200: { description: 'the body' } },
          handler: async ({ body }) => ({ status: 200, body }),
        });
        routes.define({
          method: 'get',
          path: '/test/boom',
          tag: 'Test',
          auth: 'none',
          summary: 'fails unexpectedly',
          responses: {},
          handler: async () => {
            throw new Error(INTERNAL);
          },
        });
      },
      { env: { BODY_LIMIT: '1kb' }, overrides: { [TOKENS.Logger]: captured.logger } },
    );
  });
  afterAll(() => t.close());

  it('answers 400 MALFORMED_JSON to a body that is not valid JSON', async () => {
    const res = await request(t.app).post('/test/echo').set('Content-Type', 'application/json').send('{"text": "unterminated');
    expectStandardError(res, 400, 'MALFORMED_JSON');
  });

  it('serves a valid JSON body, as a control for the cases around it', async () => {
    await request(t.app).post('/test/echo').send({ text: 'hello' }).expect(200, { text: 'hello' });
  });

  it('answers 400 VALIDATION_ERROR naming the offending field', async () => {
    const res = await request(t.app).post('/test/echo').send({ text: 42 });
    expect(expectStandardError(res, 400, 'VALIDATION_ERROR').details).toEqual({ issues: [{ path: 'body.text', message: expect.any(String) }] });
  });

  it('answers 404 ROUTE_NOT_FOUND to an unknown route', async () => {
    const res = await request(t.app).get('/api/v1/nothing-here');
    expect(expectStandardError(res, 404, 'ROUTE_NOT_FOUND').details).toEqual({ method: 'GET', path: '/api/v1/nothing-here' });
  });

  it('answers 413 PAYLOAD_TOO_LARGE to a body over BODY_LIMIT', async () => {
    const res = await request(t.app).post('/test/echo').send({ text: 'x'.repeat(2048) });
    expect(expectStandardError(res, 413, 'PAYLOAD_TOO_LARGE').details).toEqual({ max_size_bytes: 1024 });
  });

  it('answers 415 UNSUPPORTED_MEDIA_TYPE to a non-JSON body on a JSON endpoint', async () => {
    const res = await request(t.app).post('/test/echo').set('Content-Type', 'text/plain').send('text=hello');
    expect(expectStandardError(res, 415, 'UNSUPPORTED_MEDIA_TYPE').details).toMatchObject({ content_type: 'text/plain' });
  });

  it('answers 405 METHOD_NOT_ALLOWED with Allow to another method on a known path', async () => {
    const res = await request(t.app).delete('/health');
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(expectStandardError(res, 405, 'METHOD_NOT_ALLOWED').details).toEqual({ allowed_methods: ['GET', 'HEAD'] });
    expect((await request(t.app).get('/test/echo')).headers.allow).toBe('POST');
  });

  it('answers 500 INTERNAL_ERROR without internals, and logs them with the request id', async () => {
    const res = await request(t.app).get('/test/boom').set('X-Request-ID', 'boom-1');
    const error = expectStandardError(res, 500, 'INTERNAL_ERROR');
    expect(error).toMatchObject({ message: 'An unexpected error occurred', details: {}, request_id: 'boom-1' });
    expect(res.text).not.toMatch(/exploded|secret-internals|hunter2|stack|\.ts/);
    const logged = await eventually('the error log line', () => captured.lines().find((l) => l.msg === 'unexpected error' && l.request_id === 'boom-1'));
    expect(logged).toMatchObject({ level: 'error', err: { message: expect.stringContaining('pg exploded') } });
  });

  describe('X-Request-ID', () => {
    it('echoes the id the client gives, in the header and the error body', async () => {
      const res = await request(t.app).get('/nowhere').set('X-Request-ID', 'req_client-123');
      expect(res.headers['x-request-id']).toBe('req_client-123');
      expect(expectStandardError(res, 404, 'ROUTE_NOT_FOUND').request_id).toBe('req_client-123');
    });

    it('generates one when absent, different for every request', async () => {
      const [a, b] = await Promise.all([request(t.app).get('/nowhere'), request(t.app).get('/nowhere')]);
      for (const res of [a!, b!]) {
        expect(res.headers['x-request-id']).toMatch(/^req_[0-9a-f-]{36}$/);
        expect(res.body.error.request_id).toBe(res.headers['x-request-id']);
      }
      expect(a!.headers['x-request-id']).not.toBe(b!.headers['x-request-id']);
    });

    it('replaces an id that is not short and plain, rather than echo it into headers and logs', async () => {
      const res = await request(t.app).get('/health/live').set('X-Request-ID', 'x'.repeat(200));
      expect(res.headers['x-request-id']).toMatch(/^req_/);
      const injected = await request(t.app).get('/health/live').set('X-Request-ID', 'a b<script>');
      expect(injected.headers['x-request-id']).toMatch(/^req_/);
    });
  });

  describe('content negotiation', () => {
    it('serves Accept: application/vnd.visiobook.v1+json like application/json', async () => {
      const res = await request(t.app).get('/health/live').set('Accept', 'application/vnd.visiobook.v1+json').expect(200);
      expect(res.body).toEqual({ status: 'UP' });
      await request(t.app).post('/test/echo').set('Content-Type', 'application/vnd.visiobook.v1+json').send(JSON.stringify({ text: 'v1' })).expect(200, { text: 'v1' });
    });

    it('answers 406 NOT_ACCEPTABLE to Accept: application/vnd.visiobook.v2+json', async () => {
      const res = await request(t.app).get('/health/live').set('Accept', 'application/vnd.visiobook.v2+json');
      expectStandardError(res, 406, 'NOT_ACCEPTABLE');
    });

    it('serves a client that accepts anything', async () => {
      await request(t.app).get('/health/live').set('Accept', '*/*').expect(200);
    });

    it('does not refuse an Accept naming other media (a video player asking for video/mp4)', async () => {
      await request(t.app).get('/health/live').set('Accept', 'video/mp4').expect(200);
    });
  });
});
