import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';

const TUS = '/api/v1/storage/tus';
const ALLOWED = 'https://app.example.com';

const preflight = (app: TestApp['app'], origin: string, path = TUS, method = 'POST') =>
  request(app)
    .options(path)
    .set('Origin', origin)
    .set('Access-Control-Request-Method', method)
    .set('Access-Control-Request-Headers', 'authorization,tus-resumable,upload-length,upload-metadata');

const corsHeaders = (headers: Record<string, string>) => Object.keys(headers).filter((h) => h.startsWith('access-control-'));

describe('CORS_ORIGINS set to a list', () => {
  let world: TestApp;
  beforeAll(async () => {
    world = await buildTestApp({ env: { CORS_ORIGINS: `${ALLOWED},http://localhost:5173` } });
  });
  afterAll(() => world.close());

  it('answers a tus preflight from an allowed origin with what tus-js-client and Uppy need, without a token', async () => {
    const res = await preflight(world.app, ALLOWED);
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers.vary).toMatch(/Origin/);
    expect(res.headers['access-control-allow-methods']!.split(',')).toEqual(expect.arrayContaining(['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS']));
    expect(res.headers['access-control-allow-headers']!.split(',')).toEqual(expect.arrayContaining([
      'Authorization', 'Content-Type', 'Upload-Length', 'Upload-Offset', 'Tus-Resumable', 'Upload-Metadata', 'Upload-Checksum',
      'Upload-Defer-Length', 'Upload-Concat', 'X-Request-ID', 'X-HTTP-Method-Override',
    ]));
    expect(res.headers['access-control-expose-headers']!.split(',')).toEqual(expect.arrayContaining([
      'Upload-Offset', 'Location', 'Upload-Length', 'Tus-Version', 'Tus-Resumable', 'Tus-Max-Size', 'Tus-Extension', 'Upload-Metadata',
      'Upload-Expires', 'X-Request-ID',
    ]));
    expect(res.headers['access-control-max-age']).toBe('86400');
  });

  it('answers the preflight of a PATCH to an upload, and of the rest of the API', async () => {
    const patch = await preflight(world.app, 'http://localhost:5173', `${TUS}/0b6f7c1e-0000-4000-8000-000000000000`, 'PATCH');
    expect(patch.status).toBe(204);
    expect(patch.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const files = await preflight(world.app, ALLOWED, '/api/v1/storage/files', 'GET');
    expect(files.status).toBe(204);
    expect(files.headers['access-control-allow-origin']).toBe(ALLOWED);
  });

  it('adds the headers to real answers from an allowed origin, and keeps tus discovery (a plain OPTIONS) working', async () => {
    const discovery = await request(world.app).options(TUS).set('Origin', ALLOWED);
    expect(discovery.status).toBe(204);
    expect(discovery.headers['tus-version']).toBe('1.0.0');
    expect(discovery.headers['access-control-allow-origin']).toBe(ALLOWED);
    const refused = await request(world.app).post(TUS).set('Origin', ALLOWED).set('Tus-Resumable', '1.0.0').set('Upload-Length', '10');
    expect(refused.status).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(refused.headers['access-control-expose-headers']).toContain('Location');
  });

  it('sends no CORS headers to another origin', async () => {
    const res = await preflight(world.app, 'https://evil.example.net');
    expect(corsHeaders(res.headers)).toEqual([]);
    const plain = await request(world.app).options(TUS).set('Origin', 'https://evil.example.net');
    expect(corsHeaders(plain.headers)).toEqual([]);
  });
});

describe('CORS_ORIGINS=*', () => {
  it('allows any origin', async () => {
    const world = await buildTestApp({ env: { CORS_ORIGINS: '*' } });
    try {
      const res = await preflight(world.app, 'https://anywhere.example.org');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
    } finally {
      await world.close();
    }
  });
});

describe('by default (no CORS_ORIGINS)', () => {
  it('sends no CORS headers, and OPTIONS on tus is still discovery', async () => {
    const world = await buildTestApp();
    try {
      const res = await preflight(world.app, ALLOWED);
      expect(corsHeaders(res.headers)).toEqual([]);
      expect(res.headers['tus-version']).toBe('1.0.0');
    } finally {
      await world.close();
    }
  });
});
