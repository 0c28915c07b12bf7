import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { currentRun } from '../support/run-resources';
import { md5, readAll, sha256, storageApp, upload } from '../support/storage-world';
import { aToken } from '../support/tokens';

/*
 * The wired app hashes on worker threads, a MiB at a time: bodies of several MiB, not a multiple of
 * that, must still be hashed over every byte, in order, and uploads side by side kept apart.
 */
const MiB = 1024 * 1024;
let world: Awaited<ReturnType<typeof storageApp>>;
let sql: Client;

beforeAll(async () => {
  world = await storageApp({ MAX_FILE_SIZE: '32mb' });
  sql = new Client({ connectionString: currentRun().databaseUrl });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
  await world.cleanup();
});

/** Text first (the sniffer's window), so the file is accepted as text/plain; then random bytes. */
function aLargeFile(bytes: number): Buffer {
  const head = Buffer.from('a large upload whose checksums are computed while it streams\n'.repeat(80));
  return Buffer.concat([head, randomBytes(bytes - head.length)]);
}

describe('POST /api/v1/storage/upload: checksums of multi-MiB bodies', () => {
  it('stores the md5 and sha256 of every byte, in the answer and the row, and the bytes themselves', async () => {
    const user = randomUUID();
    const content = aLargeFile(9 * MiB + 54_321);
    const res = await upload(world.app, await aToken({ sub: user }), content, { name: 'big.txt', type: 'text/plain', checksum: md5(content) });
    expect(res.status).toBe(201);
    expect(res.body.file).toMatchObject({ size_bytes: content.length, checksum_md5: md5(content), checksum_sha256: sha256(content) });
    const { rows } = await sql.query('SELECT checksum_md5, checksum_sha256, size_bytes FROM files WHERE id = $1', [res.body.file.id]);
    expect(rows).toEqual([{ checksum_md5: md5(content), checksum_sha256: sha256(content), size_bytes: String(content.length) }]);
    expect((await readAll(await world.store.get(res.body.file.file_path))).equals(content)).toBe(true);
  });

  it('refuses a body whose md5 differs from X-File-Checksum by one late byte (422 CHECKSUM_MISMATCH)', async () => {
    const content = aLargeFile(6 * MiB + 3);
    const sent = Buffer.from(content);
    sent[sent.length - 2] = sent[sent.length - 2]! ^ 0xff;
    const res = await upload(world.app, await aToken(), sent, { name: 'bad.txt', type: 'text/plain', checksum: md5(content) });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('CHECKSUM_MISMATCH');
  });

  it('keeps concurrent uploads apart', async () => {
    const contents = [aLargeFile(5 * MiB + 1), aLargeFile(7 * MiB - 9), aLargeFile(3 * MiB + 777)];
    const answers = await Promise.all(contents.map(async (c, i) => upload(world.app, await aToken(), c, { name: `c${i}.txt`, type: 'text/plain' })));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(answers.map((a) => [a.body.file.checksum_md5, a.body.file.checksum_sha256])).toEqual(contents.map((c) => [md5(c), sha256(c)]));
  });
});
