import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP relay in front of a real server that a test can cut, hang and restore, to watch the service
 * lose PostgreSQL or Redis and get it back, without stopping the shared servers themselves.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private hanging = false;
  port = 0;
  /** Bytes relayed each way since the start: what a test asserts did (or did not) cross. */
  readonly relayed = { toServer: 0, fromServer: 0 };

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static forUrl(url: string): TcpProxy {
    const u = new URL(url);
    return new TcpProxy(u.hostname, Number(u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)));
  }

  /** The URL with its host and port replaced by the proxy's. */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => {
      this.track(client);
      // A hung server accepts the connection and then never says a word.
      if (this.hanging) return;
      const upstream = net.connect(this.targetPort, this.targetHost);
      this.track(upstream);
      client.on('data', (chunk: Buffer) => (this.relayed.toServer += chunk.length));
      upstream.on('data', (chunk: Buffer) => (this.relayed.fromServer += chunk.length));
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the listener and cuts every relayed connection: the server looks down (connection refused). */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.dropConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Cuts the open connections, then accepts new ones without ever answering: the server looks hung. */
  async hang(): Promise<void> {
    this.hanging = true;
    this.dropConnections();
    await this.start();
  }

  /** Relays again on the same port (connections left hanging are cut): the server looks back. */
  async restore(): Promise<void> {
    if (this.hanging) {
      this.hanging = false;
      this.dropConnections();
    }
    await this.start();
  }

  stop(): Promise<void> {
    return this.cut();
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
  }

  private dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }
}
