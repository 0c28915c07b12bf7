import { Readable } from 'node:stream';
import type { UploadSession } from '../../src/domain/storage/upload-session';
import { PrefixHashing } from '../../src/application/storage/uploads/prefix-hashing';

/** Chunks finishing together must not each read back and hash the same bytes (it cost 3× the CPU with 4 in parallel). */
describe('PrefixHashing', () => {
  const session = (over: Partial<UploadSession>): UploadSession =>
    ({ id: 's1', key: 'k', uploadId: 'u', sizeBytes: 40, chunkSize: 10, totalChunks: 4, chunks: {}, receivedBytes: 0, hashState: null, status: 'uploading', ...over }) as UploadSession;

  it('lets one request at a time extend a session\'s prefix; the others take its result, each byte read back once', async () => {
    // Chunk 0 is hashed; 1, 2 and 3 arrived ahead and are recorded.
    let stored = session({ receivedBytes: 10, chunks: { 0: 'a', 1: 'b', 2: 'c', 3: 'd' } });
    const reads: Array<[number, number]> = [];
    const fed: number[] = [];
    const deps = {
      sessions: {
        findById: async () => stored,
        advance: async (_id: string, from: number, to: number) => {
          if (stored.receivedBytes !== from) return null;
          stored = { ...stored, receivedBytes: to };
          return stored;
        },
      },
      staging: {
        read: async (_k: string, _u: string, range: { start: number; end: number }) => {
          reads.push([range.start, range.end]);
          await new Promise((r) => setTimeout(r, 20));
          return Readable.from([Buffer.alloc(range.end - range.start + 1)]);
        },
      },
      hasher: { resume: async () => ({ update: (b: Buffer) => void fed.push(b.length), save: async () => new Uint8Array(1), digest: async () => ({ md5: '', sha256: '' }) }) },
    };
    const hashing = new PrefixHashing(deps as never);
    const results = await Promise.all([hashing.extend(stored), hashing.extend(stored), hashing.extend(stored)]);
    expect(reads).toEqual([[10, 39]]);
    expect(fed.reduce((a, b) => a + b, 0)).toBe(30);
    for (const r of results) expect(r.receivedBytes).toBe(40);
  });

  it('looks again when a chunk is recorded while it hashes, so the late request\'s chunk is not left out', async () => {
    let stored = session({ receivedBytes: 10, chunks: { 0: 'a', 1: 'b' } });
    const reads: Array<[number, number]> = [];
    let second: Promise<UploadSession> | null = null;
    const hashing: PrefixHashing = new PrefixHashing({
      sessions: {
        findById: async () => stored,
        advance: async (_id: string, from: number, to: number) => {
          if (stored.receivedBytes !== from) return null;
          const answer = { ...stored, receivedBytes: to };
          // Chunk 2 is recorded after this commit read the row; its request joins the hashing under way.
          stored = { ...answer, chunks: { ...stored.chunks, 2: 'c' } };
          second ??= hashing.extend(stored);
          return answer;
        },
      },
      staging: {
        read: async (_k: string, _u: string, range: { start: number; end: number }) => {
          reads.push([range.start, range.end]);
          return Readable.from([Buffer.alloc(range.end - range.start + 1)]);
        },
      },
      hasher: { resume: async () => ({ update: () => undefined, save: async () => new Uint8Array(1), digest: async () => ({ md5: '', sha256: '' }) }) },
    } as never);
    const first = await hashing.extend(stored);
    expect(first.receivedBytes).toBe(30);
    expect((await second!).receivedBytes).toBe(30);
    expect(reads).toEqual([[10, 19], [20, 29]]);
  });
});
