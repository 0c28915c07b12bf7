import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { VarnishCdnPurger } from '../../src/adapters/cdn/varnish-cdn-purger';
import type { CdnTarget } from '../../src/domain/storage/cdn';
import { CdnSyncFailed } from '../../src/domain/storage/errors';
import { aCdnTarget, cdnPurgerContract } from '../contract/cdn-purger.contract';
import { freePort } from '../support/free-port';
import { startVarnish, type RunningVarnish } from '../support/varnish';

/** The origin: answers every path as cacheable for an hour and counts what reaches it. */
class Origin {
  readonly requests = new Map<string, number>();
  private server: http.Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      this.requests.set(req.url!, (this.requests.get(req.url!) ?? 0) + 1);
      const body = `content of ${req.url}`;
      const cacheControl = req.url!.includes('private') ? 'private, max-age=3600' : req.url!.includes('no-store') ? 'no-store' : 'public, max-age=3600';
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), 'cache-control': cacheControl });
      res.end(body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  count(url: string): number {
    return this.requests.get(url) ?? 0;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * What the purger talks to: relays BANs to Varnish, counts them, and answers 500 instead once when
 * told to (a Varnish that refuses, without touching the real one's config). Raw TCP, since Node's
 * HTTP server rejects methods it does not know, BAN among them.
 */
class BanRelay {
  calls = 0;
  refuse = false;
  readonly headers: Array<Record<string, string>> = [];
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<void> {
    this.server = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      let buffered = '';
      let queue = Promise.resolve();
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        let end: number;
        // BANs carry no body: each request is its head alone.
        while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
          const head = buffered.slice(0, end);
          buffered = buffered.slice(end + 4);
          queue = queue.then(() => this.answer(head, socket));
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async answer(head: string, socket: net.Socket): Promise<void> {
    const [requestLine, ...lines] = head.split('\r\n');
    const [method, target] = requestLine!.split(' ');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    this.calls += 1;
    this.headers.push(headers);
    let status = 500;
    let body = 'refused';
    if (this.refuse) this.refuse = false;
    else ({ status, body } = await forward(`${this.target}${target}`, method!, headers));
    socket.write(`HTTP/1.1 ${status} Relayed\r\ncontent-length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`, 'latin1');
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function forward(url: string, method: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const request = http.request(url, { method, headers }, (answer) => {
      let body = '';
      answer.setEncoding('latin1');
      answer.on('data', (d: string) => (body += d));
      answer.on('end', () => resolve({ status: answer.statusCode!, body }));
    });
    request.on('error', (e) => resolve({ status: 502, body: e.message }));
    request.end();
  });
}

const origin = new Origin();
let varnish: RunningVarnish;

beforeAll(async () => {
  await origin.start();
  varnish = await startVarnish({ backendPort: origin.port });
}, 30_000);
afterAll(async () => {
  await varnish?.stop();
  await origin.stop();
});

const pathAndQuery = (target: CdnTarget, variant?: string) => (variant ? `${target.path}?${variant}` : target.path);

async function get(url: string): Promise<{ status: number; cache: string | null; body: string }> {
  const response = await fetch(`${varnish.url}${url}`);
  return { status: response.status, cache: response.headers.get('x-cache'), body: await response.text() };
}

cdnPurgerContract('VarnishCdnPurger', 'https://cdn.example.test', async () => {
  const relay = new BanRelay(varnish.url);
  await relay.start();
  return {
    purger: new VarnishCdnPurger({ url: relay.url }),
    prime: async (target, variant) => {
      const url = pathAndQuery(target, variant);
      await get(url);
      const second = await get(url);
      if (second.cache !== 'HIT') throw new Error(`${url} was not cached by Varnish (X-Cache ${second.cache})`);
    },
    wasPurged: async (target, variant) => {
      const url = pathAndQuery(target, variant);
      const before = origin.count(url);
      const { cache } = await get(url);
      const refetched = origin.count(url) > before;
      if (refetched !== (cache === 'MISS')) throw new Error(`X-Cache ${cache} but the origin was ${refetched ? '' : 'not '}asked for ${url}`);
      return refetched;
    },
    purgeCalls: () => relay.calls,
    refuseNext: () => {
      relay.refuse = true;
    },
    close: () => relay.stop(),
  };
});

describe('VarnishCdnPurger against deploy/varnish/default.vcl', () => {
  it('bans a path and nothing that merely starts with it', async () => {
    const target = aCdnTarget('https://cdn.example.test', 'thumbnails');
    const longer = `${target.path}0`;
    for (const url of [target.path, longer, `${target.path}/x`]) {
      await get(url);
      expect((await get(url)).cache).toBe('HIT');
    }
    await new VarnishCdnPurger({ url: varnish.url }).purge([target]);
    expect((await get(target.path)).cache).toBe('MISS');
    expect((await get(longer)).cache).toBe('HIT');
    expect((await get(`${target.path}/x`)).cache).toBe('HIT');
  });

  it('escapes regex metacharacters and odd bytes in a path', async () => {
    const fileId = 'a.b+c(d)';
    const odd = { fileId, path: `/cdn/files/${fileId}/caf%C3%A9`, url: '' };
    const lookalike = '/cdn/files/aXb+c(d)/caf%C3%A9';
    for (const url of [odd.path, lookalike]) {
      await get(url);
      expect((await get(url)).cache).toBe('HIT');
    }
    await expect(new VarnishCdnPurger({ url: varnish.url }).purge([odd, { ...odd, path: '/cdn/files/x y"z' }])).resolves.toBe(2);
    expect((await get(odd.path)).cache).toBe('MISS');
    expect((await get(lookalike)).cache).toBe('HIT');
  });

  it('caches only /cdn/ paths, per query string, and respects the origin\'s private and no-store', async () => {
    const id = aCdnTarget('https://cdn.example.test').fileId;
    await get(`/api/files/${id}`);
    expect((await get(`/api/files/${id}`)).cache).toBe('MISS');
    expect(origin.count(`/api/files/${id}`)).toBe(2);
    await get(`/cdn/files/${id}/v?signature=a`);
    expect((await get(`/cdn/files/${id}/v?signature=b`)).cache).toBe('MISS');
    expect((await get(`/cdn/files/${id}/v?signature=a`)).cache).toBe('HIT');
    for (const kind of ['private', 'no-store']) {
      await get(`/cdn/files/${id}/${kind}`);
      expect((await get(`/cdn/files/${id}/${kind}`)).cache).toBe('MISS');
    }
    const delivered = await fetch(`${varnish.url}/cdn/files/${id}/v?signature=a`);
    expect(delivered.headers.get('x-url')).toBeNull();
  });

  it('sends one ban per 50 paths', async () => {
    const relay = new BanRelay(varnish.url);
    await relay.start();
    try {
      const targets = Array.from({ length: 101 }, () => aCdnTarget('https://cdn.example.test'));
      await expect(new VarnishCdnPurger({ url: relay.url }).purge(targets)).resolves.toBe(101);
      expect(relay.calls).toBe(3);
    } finally {
      await relay.stop();
    }
  });

  it('answers a ban 400 without its header or with a bad regex, and 403 from outside the ACL', async () => {
    expect((await fetch(varnish.url, { method: 'BAN' })).status).toBe(400);
    expect((await fetch(varnish.url, { method: 'BAN', headers: { 'X-Ban-Path': '^/cdn/(' } })).status).toBe(400);
    // Any 127.x address reaches a listener on 127.0.0.1, and only 127.0.0.1 is in the ACL.
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${varnish.url}/`, { method: 'BAN', localAddress: '127.0.0.2', headers: { 'X-Ban-Path': '^/cdn/' } }, (answer) => {
        answer.resume();
        resolve(answer.statusCode!);
      });
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(403);
  });

  it('reports an unreachable Varnish as CDN_SYNC_FAILED without its address or credentials', async () => {
    const port = await freePort();
    const purger = new VarnishCdnPurger({ url: `http://ops:s3cret-pass@127.0.0.1:${port}`, timeoutMs: 1_000 });
    const error = await purger.purge([aCdnTarget('https://cdn.example.test')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CdnSyncFailed);
    expect((error as Error).message).toMatch(/^varnish: /);
    expect(JSON.stringify({ m: (error as Error).message, d: (error as CdnSyncFailed).details })).not.toMatch(/s3cret-pass|ops:|127\.0\.0\.1/);
  });

  it('sends credentials in the URL as Basic auth', async () => {
    const relay = new BanRelay(varnish.url);
    await relay.start();
    try {
      const url = new URL(relay.url);
      url.username = 'ops';
      url.password = 's3cret';
      await new VarnishCdnPurger({ url: url.toString() }).purge([aCdnTarget('https://cdn.example.test')]);
      expect(relay.headers[0]!['authorization']).toBe(`Basic ${Buffer.from('ops:s3cret').toString('base64')}`);
    } finally {
      await relay.stop();
    }
  });
});
