import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { SegmentedAesGcmCipher } from '../../../src/adapters/crypto/segmented-aes-gcm-cipher';
import { InMemoryObjectStore } from '../../../src/adapters/in-memory/fakes/in-memory-object-store';
import { EncryptCompletedUpload } from '../../../src/application/storage/encryption/encrypt-completed-upload';
import { FileContent } from '../../../src/application/storage/encryption/file-content';
import { Keyring } from '../../../src/domain/crypto/keyring';
import { SEGMENT_PLAINTEXT_BYTES as S } from '../../../src/domain/crypto/segmented-format';
import { RecordingLogger } from '../../support/recording-logger';
import { readAll } from '../../support/storage-world';

const cipher = new SegmentedAesGcmCipher(Keyring.parse(`k1:${createHash('sha256').update('completion').digest('base64')}`));

describe('EncryptCompletedUpload', () => {
  it('encrypts the clear completed object into its encrypted key in one pass and removes the clear one', async () => {
    const store = new InMemoryObjectStore('memory');
    const content = new FileContent(store, cipher, new RecordingLogger());
    const seal = new EncryptCompletedUpload(store, content);
    expect(seal.needed).toBe(true);
    // Chunks that do not align with segments, as a tus client sends them.
    const data = randomBytes(3 * S + 12_345);
    await store.put('users/u/a.bin', Readable.from([data.subarray(0, 100_001), data.subarray(100_001)]), { contentType: 'application/octet-stream' });
    const encryption = await seal.execute('users/u/a.bin', 'application/octet-stream');
    expect(encryption).toMatchObject({ keyId: 'k1' });
    expect(await store.head('users/u/a.bin')).toBeNull();
    expect(seal.encryptedKeyFor('users/u/a.bin')).toBe('users/u/a.bin.vbse');
    expect((await readAll(await store.get('users/u/a.bin.vbse'))).includes(data.subarray(0, 64))).toBe(false);
    const file = { id: 'f', filePath: 'users/u/a.bin.vbse', sizeBytes: data.length, encryption };
    expect((await readAll(await content.read(file))).equals(data)).toBe(true);
    expect((await readAll(await content.read(file, { start: S - 3, end: 2 * S + 3 }))).equals(data.subarray(S - 3, 2 * S + 4))).toBe(true);
  });

  it('is not needed without a keyring', () => {
    const store = new InMemoryObjectStore('memory');
    expect(new EncryptCompletedUpload(store, new FileContent(store, null, new RecordingLogger())).needed).toBe(false);
  });
});
