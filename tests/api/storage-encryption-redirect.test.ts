import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { aFile } from '../support/file-builder';
import { storageDeliveryWorld } from '../support/storage-delivery-world';
import { aToken, bearer } from '../support/tokens';

describe('GET /api/v1/storage/download/:file_id of an encrypted file, with a provider that signs', () => {
  it('302 to the service-signed URL (which decrypts), never to the provider-signed one (which would serve ciphertext)', async () => {
    const asked: string[] = [];
    const world = await storageDeliveryWorld({ signer: { signedUrl: async (key) => (asked.push(key), `https://provider.example/${key}?sas=1`) } });
    try {
      const owner = randomUUID();
      const token = bearer(await aToken({ sub: owner }));
      const encrypted = { ...aFile().ownedBy(owner).named('a.pdf').ofType('application/pdf').build(), encryption: { keyId: 'k1', wrappedKey: Buffer.alloc(60).toString('base64') } };
      const { file } = await world.stored(encrypted);
      const res = await request(world.app).get(`/api/v1/storage/download/${file.id}`).set(token).redirects(0);
      expect(res.status).toBe(302);
      expect(res.headers.location).toMatch(new RegExp(`^/api/v1/storage/signed/${file.id}\\?`));
      expect(asked).toEqual([]);

      const { file: clear } = await world.stored(aFile().ownedBy(owner).named('b.pdf').ofType('application/pdf').build());
      const plain = await request(world.app).get(`/api/v1/storage/download/${clear.id}`).set(token).redirects(0);
      expect(plain.headers.location).toBe(`https://provider.example/${clear.filePath}?sas=1`);
    } finally {
      await world.close();
    }
  });
});
