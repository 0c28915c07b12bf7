import { createHash, randomBytes } from 'node:crypto';
import type { ResumableHasher } from '../../src/application/ports/resumable-hasher.port';

const digestsOf = (bytes: Buffer) => ({ md5: createHash('md5').update(bytes).digest('hex'), sha256: createHash('sha256').update(bytes).digest('hex') });

/** What every ResumableHasher promises: a saved state resumed by another instance gives the digests of the whole. */
export function resumableHasherContract(name: string, make: () => ResumableHasher): void {
  describe(`${name} (ResumableHasher contract)`, () => {
    it('digests what it was fed, empty included', async () => {
      const bytes = randomBytes(300_000);
      const run = await make().resume(null);
      await run.update(bytes.subarray(0, 1));
      await run.update(bytes.subarray(1));
      expect(await run.digest()).toEqual(digestsOf(bytes));
      expect(await (await make().resume(null)).digest()).toEqual(digestsOf(Buffer.alloc(0)));
    });

    it('continues a saved state in another instance, over several saves, at odd offsets', async () => {
      const bytes = randomBytes(1_000_003);
      const cuts = [0, 7, 65_536, 500_001, bytes.length];
      let state: Uint8Array | null = null;
      for (let i = 1; i < cuts.length; i++) {
        const run = await make().resume(state);
        await run.update(bytes.subarray(cuts[i - 1], cuts[i]));
        state = Uint8Array.from(await run.save());
      }
      expect(await (await make().resume(state)).digest()).toEqual(digestsOf(bytes));
    });

    it('refuses a state it did not write', async () => {
      await expect(make().resume(new Uint8Array([0, 0, 0, 1]))).rejects.toThrow();
    });
  });
}
