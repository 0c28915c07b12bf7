import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import type { ObjectStore } from '../../src/application/ports/object-store.port';
import { StorageBackendError } from '../../src/domain/storage/errors';
import { expectStandardError } from '../support/error-body';
import { eventually } from '../support/eventually';
import { someText } from '../support/media-fixtures';
import { currentRun } from '../support/run-resources';
import { filesUnder, storageApp, upload } from '../support/storage-world';
import { aToken } from '../support/tokens';

let sql: Client;
beforeAll(async () => {
  sql = new Client({ connectionString: currentRun().databaseUrl });
  await sql.connect();
});
afterAll(() => sql.end());

const rowsOf = async (userId: string) => (await sql.query('SELECT id FROM files WHERE user_id = $1', [userId])).rows;

describe('an upload cut off mid-body', () => {
  let world: Awaited<ReturnType<typeof storageApp>>;
  let server: http.Server;
  beforeAll(async () => {
    world = await storageApp();
    server = http.createServer(world.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await world.cleanup();
  });

  it('leaves no row and no object once the client has gone', async () => {
    const user = randomUUID();
    const head = Buffer.from(`--B\r\nContent-Disposition: form-data; name="file"; filename="cut.txt"\r\nContent-Type: text/plain\r\n\r\n`);
    const req = http.request({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      method: 'POST',
      path: '/api/v1/storage/upload',
      headers: { Authorization: `Bearer ${await aToken({ sub: user })}`, 'Content-Type': 'multipart/form-data; boundary=B', 'Content-Length': String(head.length + 2_000_000) },
    });
    req.on('error', () => undefined);
    req.write(head);
    req.write(someText(1_000_000));
    // The server is streaming the part into the store (the disk store's temporary file) when the connection drops.
    await eventually('the upload to reach the store', async () => ((await filesUnder(`${world.root}/users/${user}`)).length > 0 ? true : undefined), 5_000);
    req.destroy();
    await new Promise((r) => setTimeout(r, 300));
    await eventually('nothing left behind', async () => {
      const left = [...(await rowsOf(user)), ...(await filesUnder(`${world.root}/users/${user}`))];
      return left.length === 0 ? true : undefined;
    });
    // Still nothing a moment later: no late insert from a request still in flight.
    await new Promise((r) => setTimeout(r, 300));
    expect(await rowsOf(user)).toEqual([]);
    expect(await filesUnder(`${world.root}/users/${user}`)).toEqual([]);
  });

  it('leaves nothing when the connection drops after the file part, before the form ends', async () => {
    const user = randomUUID();
    const part = Buffer.concat([
      Buffer.from(`--B\r\nContent-Disposition: form-data; name="file"; filename="whole.txt"\r\nContent-Type: text/plain\r\n\r\n`),
      someText(10_000),
      Buffer.from('\r\n--B\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{"tags":'),
    ]);
    const req = http.request({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      method: 'POST',
      path: '/api/v1/storage/upload',
      headers: { Authorization: `Bearer ${await aToken({ sub: user })}`, 'Content-Type': 'multipart/form-data; boundary=B', 'Content-Length': String(part.length + 1_000) },
    });
    req.on('error', () => undefined);
    req.write(part);
    // The whole file part has reached the store (it waits there for the metadata part).
    await eventually('the file part stored', async () => ((await filesUnder(`${world.root}/users/${user}`)).length > 0 ? true : undefined), 5_000);
    req.destroy();
    await eventually('nothing left behind', async () => {
      const left = [...(await rowsOf(user)), ...(await filesUnder(`${world.root}/users/${user}`))];
      return left.length === 0 ? true : undefined;
    });
  });
});

/** A provider that refuses every write, as a storage account that is down would. */
class DownObjectStore implements ObjectStore {
  readonly provider = 'local_disk';
  readonly deleted: string[] = [];
  async put(): Promise<{ size: number }> {
    throw new StorageBackendError('Storage backend local_disk failed during put', { provider: 'local_disk' });
  }
  async get(): Promise<Readable> {
    throw new StorageBackendError('down', {});
  }
  async head() {
    return null;
  }
  async delete(key: string): Promise<void> {
    this.deleted.push(key);
  }
  async ping(): Promise<void> {
    throw new StorageBackendError('down', {});
  }
}

describe('the storage provider down', () => {
  it('answers 503 STORAGE_BACKEND_ERROR and keeps no row', async () => {
    const store = new DownObjectStore();
    const world = await storageApp({}, store);
    try {
      const user = randomUUID();
      const res = await upload(world.app, await aToken({ sub: user }), someText(50_000), { name: 'a.txt', type: 'text/plain' });
      expectStandardError(res, 503, 'STORAGE_BACKEND_ERROR');
      expect(await rowsOf(user)).toEqual([]);
      expect(store.deleted).toEqual([expect.stringContaining(`users/${user}/`)]);
    } finally {
      await world.cleanup();
    }
  });
});
