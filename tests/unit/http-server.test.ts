import http from 'node:http';
import { listen } from '../../src/infrastructure/http-server';

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('graceful stop', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    const inFlight = new Promise<void>((r) => (arrived = r));
    const server = await listen(
      async (_req, res) => {
        arrived();
        await gate;
        res.end('finished');
      },
      0,
      '127.0.0.1',
    );
    const pending = get(server.port, '/slow');
    await inFlight;
    const stopped = server.stop(10_000);
    await expect(get(server.port, '/new')).rejects.toThrow(/ECONNREFUSED/);
    release();
    await expect(pending).resolves.toEqual({ status: 200, body: 'finished' });
    await stopped;
  });

  it('cuts requests still running when the grace period ends', async () => {
    let arrived!: () => void;
    const inFlight = new Promise<void>((r) => (arrived = r));
    const server = await listen(() => arrived(), 0, '127.0.0.1');
    const pending = get(server.port, '/never');
    await inFlight;
    await server.stop(100);
    await expect(pending).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});
