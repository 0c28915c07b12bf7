import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { SegmentedAesGcmCipher } from '../../../src/adapters/crypto/segmented-aes-gcm-cipher';
import { Keyring } from '../../../src/domain/crypto/keyring';
import { aCaller } from '../../support/caller-builder';
import { aFile } from '../../support/file-builder';
import { aPng } from '../../support/media-fixtures';
import { readAll } from '../../support/storage-world';
import { transformationsWorld } from '../../support/transformations-world';

const cipher = new SegmentedAesGcmCipher(Keyring.parse(`k1:${createHash('sha256').update('transform-test').digest('base64')}`));

describe('transformations with encryption at rest', () => {
  it('read the encrypted source as plaintext and store their output (the thumbnail or resize) encrypted', async () => {
    const w = transformationsWorld({ cipher });
    const owner = aCaller().build();
    const plain = aPng(6, 6);
    const file = aFile().ownedBy(owner.userId).named('holiday.png').build();
    const { encryption } = await w.content!.write(file.filePath, Readable.from([plain]), 'image/png');
    const source = { ...file, sizeBytes: plain.length, encryption: encryption! };
    await w.files.insertWithinQuota(source, Number.MAX_SAFE_INTEGER, []);

    const { transformation } = await w.request.execute({ caller: owner, sourceFileId: source.id, type: 'image_resize', parameters: { width: 8, height: 8, format: 'png' }, outputName: null });
    await w.run.execute({ id: transformation.id, payload: w.queue.enqueued[0]!.payload, attempt: 1, lastAttempt: false });

    const done = await w.transformations.findById(transformation.id);
    expect(done).toMatchObject({ status: 'completed' });
    expect(Buffer.compare(w.image.inputs[0] as Buffer, plain)).toBe(0);
    const output = (await w.files.findById(done!.targetFileId!))!;
    expect(output.encryption).toMatchObject({ keyId: 'k1' });
    const raw = await readAll(await w.store.get(output.filePath));
    expect(raw.subarray(0, 4).toString('latin1')).toBe('VBSE');
    expect(raw.includes(w.image.outputs[0]!.subarray(0, 16))).toBe(false);
    expect(output.sizeBytes).toBe(w.image.outputs[0]!.length);
    expect(Buffer.compare(await readAll(await w.content!.read(output)), w.image.outputs[0]!)).toBe(0);
  });
});
