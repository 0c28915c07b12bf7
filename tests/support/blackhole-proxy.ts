import net from 'node:net';
import type { AddressInfo } from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket | undefined;
}

/**
 * A TCP relay that a fault test can turn into a black hole: the server looks hung, not down. Open
 * connections stay open but nothing crosses them (both sides stop being read, as packets that are
 * dropped), and new connections are accepted and never answered: no refusal, no reset, only silence,
 * as a cut network or a frozen host. `heal()` lets everything through again, held bytes included, as
 * TCP would once the network is back (unless one side gave up and closed meanwhile).
 */
export class BlackholeProxy {
  private server: net.Server | undefined;
  private readonly pairs = new Set<Pair>();
  private holes = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static forUrl(url: string): BlackholeProxy {
    const u = new URL(url);
    return new BlackholeProxy(u.hostname, Number(u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)));
  }

  /** The URL with its host and port replaced by the proxy's. */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  get blackholed(): boolean {
    return this.holes;
  }

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const pair: Pair = { client, upstream: undefined };
      this.pairs.add(pair);
      client.on('error', () => undefined);
      client.on('close', () => {
        pair.upstream?.destroy();
        this.pairs.delete(pair);
      });
      if (this.holes) client.pause();
      else this.connect(pair);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** From now on, nothing crosses, either way, on any connection, old or new. */
  blackhole(): void {
    this.holes = true;
    for (const { client, upstream } of this.pairs) {
      client.pause();
      upstream?.pause();
    }
  }

  /** Everything crosses again; connections accepted meanwhile reach the server now. */
  heal(): void {
    this.holes = false;
    for (const pair of this.pairs) {
      if (!pair.upstream) this.connect(pair);
      else {
        pair.client.resume();
        pair.upstream.resume();
      }
    }
  }

  async stop(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream?.destroy();
    }
    this.pairs.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private connect(pair: Pair): void {
    const upstream = net.connect(this.targetPort, this.targetHost);
    pair.upstream = upstream;
    upstream.on('error', () => undefined);
    upstream.on('close', () => pair.client.destroy());
    // Plain relaying rather than pipe(): pipe() resumes a source on its destination's 'drain', which
    // would let bytes through a black hole.
    pair.client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => pair.client.write(chunk));
    pair.client.on('end', () => upstream.end());
    upstream.on('end', () => pair.client.end());
    pair.client.resume();
  }
}
