import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { VarnishTrafficSource } from '../../src/adapters/cdn/varnish-traffic-source';
import type { CdnHit } from '../../src/domain/storage/cdn';
import { cdnTrafficSourceContract } from '../contract/cdn-traffic-source.contract';
import { eventually } from '../support/eventually';
import { RecordingLogger } from '../support/recording-logger';
import { startVarnish, VARNISHNCSA, type RunningVarnish } from '../support/varnish';

const bodyOf = (url: string) => `content of ${url}, which is a little longer than its path`;
let origin: http.Server;
let varnish: RunningVarnish;

beforeAll(async () => {
  origin = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'public, max-age=3600' });
    res.end(bodyOf(req.url!));
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  varnish = await startVarnish({ backendPort: (origin.address() as AddressInfo).port });
}, 30_000);
afterAll(async () => {
  await varnish?.stop();
  await new Promise((resolve) => origin?.close(resolve));
});

async function get(url: string): Promise<string | null> {
  const response = await fetch(`${varnish.url}${url}`);
  await response.text();
  return response.headers.get('x-cache');
}

/** A client's GET through Varnish: whether it was a cache hit, and the body bytes it got. */
async function request(url: string): Promise<{ hit: boolean; bytes: number }> {
  const response = await fetch(`${varnish.url}${url}`);
  const body = Buffer.from(await response.arrayBuffer());
  return { hit: response.headers.get('x-cache') === 'HIT', bytes: body.length };
}

/** The varnishncsa children reading this test's Varnish (its workdir is unique to the run). */
function readers(): number[] {
  try {
    return execFileSync('pgrep', ['-f', `varnishncsa -n ${varnish.workdir}`], { encoding: 'utf8' }).trim().split('\n').map(Number);
  } catch {
    return [];
  }
}

/** varnishncsa reads from the tail of the log: wait until a marker request shows it is attached. */
async function attached(recorded: CdnHit[]): Promise<void> {
  const marker = `/cdn/files/${randomUUID()}/marker`;
  await eventually('varnishncsa to log a marker request', async () => {
    await get(marker);
    return recorded.some((h) => h.path === marker) ? true : undefined;
  });
}

cdnTrafficSourceContract('VarnishTrafficSource (real varnishd and varnishncsa)', async () => {
  const source = new VarnishTrafficSource({ workdir: varnish.workdir, varnishncsaPath: VARNISHNCSA, batchMs: 50 });
  return {
    source,
    request,
    close: async () => {
      await source.close();
      // Its varnishncsa child goes with it.
      expect(readers()).toEqual([]);
    },
  };
});

describe('VarnishTrafficSource (real varnishd and varnishncsa)', () => {
  it('records only GETs of /cdn/ paths: the API behind the same Varnish is not CDN traffic', async () => {
    const recorded: CdnHit[] = [];
    const source = new VarnishTrafficSource({ workdir: varnish.workdir, varnishncsaPath: VARNISHNCSA, batchMs: 50 });
    await source.start(async (hits) => void recorded.push(...hits));
    try {
      await attached(recorded);
      const id = randomUUID();
      const path = `/cdn/files/${id}/0123456789abcdef`;
      await get(path);
      await get(`/api/files/${id}`);
      await attached(recorded);
      expect(recorded.filter((h) => h.path.includes(id)).map((h) => h.path)).toEqual([path]);
      expect(recorded.some((h) => !h.path.startsWith('/cdn/'))).toBe(false);
    } finally {
      await source.close();
    }
    expect(readers()).toEqual([]);
  });

  it('restarts varnishncsa when it dies', async () => {
    const logger = new RecordingLogger();
    const recorded: CdnHit[] = [];
    const source = new VarnishTrafficSource({ workdir: varnish.workdir, varnishncsaPath: VARNISHNCSA, batchMs: 50, restartDelayMs: 100, logger });
    await source.start(async (hits) => void recorded.push(...hits));
    try {
      await attached(recorded);
      const [pid] = readers();
      process.kill(pid!, 'SIGKILL');
      await eventually('a new varnishncsa', () => (readers().some((p) => p !== pid) ? true : undefined));
      await attached(recorded);
      expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'varnishncsa stopped; restarting it' }));
    } finally {
      await source.close();
    }
    expect(readers()).toEqual([]);
  });

  it('logs a batch whose recording failed', async () => {
    const logger = new RecordingLogger();
    const recorded: CdnHit[] = [];
    let failNext = false;
    const source = new VarnishTrafficSource({ workdir: varnish.workdir, varnishncsaPath: VARNISHNCSA, batchMs: 50, logger });
    await source.start(async (hits) => {
      if (failNext) {
        failNext = false;
        throw new Error('database down');
      }
      recorded.push(...hits);
    });
    try {
      await attached(recorded);
      failNext = true;
      await eventually('a failed batch to be logged', async () => {
        await get(`/cdn/files/${randomUUID()}/lost`);
        return logger.entries.some((e) => e.level === 'error') ? true : undefined;
      });
      await attached(recorded);
    } finally {
      await source.close();
    }
  });

  it('refuses to start without varnishncsa', async () => {
    const source = new VarnishTrafficSource({ workdir: varnish.workdir, varnishncsaPath: '/nonexistent/varnishncsa' });
    await expect(source.start(async () => undefined)).rejects.toThrow(/Cannot start varnishncsa/);
    await source.close();
  });
});
