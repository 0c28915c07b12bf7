import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ObjectStore } from '../../src/application/ports/object-store.port';
import type { UploadStaging } from '../../src/application/ports/upload-staging.port';
import type { TcpProxy } from './tcp-proxy';

export interface RelayedStaging {
  staging: UploadStaging;
  store: ObjectStore;
  /** The relay every request of `staging` and `store` goes through to the provider. */
  relay: TcpProxy;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;
/** Headers, XML block or part lists, signatures: what a call costs besides the bytes it carries (a few KiB measured). */
const REQUEST_SLACK = 64 * 1024;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function* pieces(bytes: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

/** The bytes that cross the relay each way while `action` runs. */
async function traffic(relay: TcpProxy, action: () => Promise<unknown>): Promise<{ up: number; down: number }> {
  const before = { ...relay.relayed };
  await action();
  return { up: relay.relayed.toServer - before.toServer, down: relay.relayed.fromServer - before.fromServer };
}

/**
 * A cloud staging assembles the object at the provider (S3 CompleteMultipartUpload, an Azure block
 * list commit): no local copy, no second pass through the service. Measured on the wire, through a
 * relay in front of the provider: the upload's bytes go up about once, nothing of the object comes
 * back down, and completing moves no object bytes either way (a service that assembled a local copy
 * would download the parts or re-upload the whole).
 */
export function assembledAtTheProvider(name: string, make: () => Promise<RelayedStaging>): void {
  describe(`${name}: resumable uploads assembled at the provider, without a local copy`, () => {
    let s: RelayedStaging;
    beforeAll(async () => {
      s = await make();
    });
    afterAll(() => s.close());
    const key = (leaf: string) => `users/u1/projects/p1/wire-${randomBytes(4).toString('hex')}-${leaf}`;

    it('seed chunks of 5 MiB in any order and in parallel: each byte goes up once, complete moves none', async () => {
      const partSize = 5 * MiB;
      const content = randomBytes(3 * partSize + 1000);
      const target = key('parts.bin');
      const { uploadId } = await s.staging.begin(target, 'application/octet-stream', { sizeBytes: content.length, partSize });
      const part = (i: number) => content.subarray(i * partSize, (i + 1) * partSize);
      const writes = await traffic(s.relay, () =>
        Promise.all([2, 0, 3, 1].map((i) => s.staging.write(target, uploadId, i * partSize, pieces(part(i))))),
      );
      expect(writes.up).toBeGreaterThanOrEqual(content.length);
      expect(writes.up).toBeLessThan(content.length + 4 * REQUEST_SLACK);
      expect(writes.down).toBeLessThan(4 * REQUEST_SLACK);
      const completion = await traffic(s.relay, () => s.staging.complete(target, uploadId, content.length, 'application/octet-stream'));
      expect(completion.up).toBeLessThan(REQUEST_SLACK);
      expect(completion.down).toBeLessThan(REQUEST_SLACK);
      expect(sha256(await bytesOf(await s.store.get(target)))).toBe(sha256(content));
    }, 60_000);

    it('tus appends of any length: only the tails short of a part cross twice, complete moves none', async () => {
      const content = randomBytes(13 * MiB + 77);
      const cuts = [0, MiB + 3, 7 * MiB, 12 * MiB + 5, content.length];
      const target = key('tus.bin');
      // What the tus route plans: 1 MiB chunks (S3 gathers appends into 5 MiB parts).
      const { uploadId } = await s.staging.begin(target, 'application/octet-stream', { sizeBytes: content.length, partSize: MiB });
      const writes = await traffic(s.relay, async () => {
        for (let i = 1; i < cuts.length; i++) await s.staging.write(target, uploadId, cuts[i - 1]!, pieces(content.subarray(cuts[i - 1], cuts[i])));
      });
      // S3 refuses parts under 5 MiB: the tail of an append that ends inside a part is kept aside,
      // then read back once and sent once more inside the whole part. Nothing else crosses twice.
      const heldBack = cuts.slice(1, -1).reduce((n, cut) => n + (cut % (5 * MiB)), 0);
      const overhead = (cuts.length - 1) * REQUEST_SLACK;
      expect(writes.up).toBeGreaterThanOrEqual(content.length);
      expect(writes.up).toBeLessThan(content.length + heldBack + overhead);
      expect(writes.down).toBeLessThan(heldBack + overhead);
      const completion = await traffic(s.relay, () => s.staging.complete(target, uploadId, content.length, 'application/octet-stream'));
      expect(completion.up).toBeLessThan(REQUEST_SLACK);
      expect(completion.down).toBeLessThan(REQUEST_SLACK);
      expect(sha256(await bytesOf(await s.store.get(target)))).toBe(sha256(content));
    }, 60_000);
  });
}
