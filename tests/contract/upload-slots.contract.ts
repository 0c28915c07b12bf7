import { randomUUID } from 'node:crypto';
import type { UploadSlots } from '../../src/application/ports/upload-slots.port';

export interface UploadSlotsUnderTest {
  slots: UploadSlots;
  /** A second view of the same count (another instance), where the adapter shares one; else undefined. */
  peer?: UploadSlots;
  close(): Promise<void>;
}

/** What every UploadSlots promises, Redis or in-process. `make` gives fresh slots. */
export function uploadSlotsContract(name: string, make: () => Promise<UploadSlotsUnderTest>): void {
  describe(`${name} (UploadSlots contract)`, () => {
    let s: UploadSlotsUnderTest;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(() => s.close());

    it('gives a caller `limit` slots, then none', async () => {
      const caller = randomUUID();
      const taken = await Promise.all([1, 2, 3].map(() => s.slots.tryAcquire(caller, 3)));
      expect(taken.every((slot) => slot !== null)).toBe(true);
      await expect(s.slots.tryAcquire(caller, 3)).resolves.toBeNull();
    });

    it('never gives more than `limit` slots to acquisitions racing each other', async () => {
      const caller = randomUUID();
      const taken = await Promise.all(Array.from({ length: 10 }, () => s.slots.tryAcquire(caller, 4)));
      expect(taken.filter((slot) => slot !== null)).toHaveLength(4);
    });

    it('gives a released slot again, and a second release frees nothing more', async () => {
      const caller = randomUUID();
      const first = (await s.slots.tryAcquire(caller, 2))!;
      await s.slots.tryAcquire(caller, 2);
      await first.release();
      await first.release();
      await expect(s.slots.tryAcquire(caller, 2)).resolves.not.toBeNull();
      await expect(s.slots.tryAcquire(caller, 2)).resolves.toBeNull();
    });

    it('counts each caller apart', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      await s.slots.tryAcquire(a, 1);
      await expect(s.slots.tryAcquire(a, 1)).resolves.toBeNull();
      await expect(s.slots.tryAcquire(b, 1)).resolves.not.toBeNull();
    });

    it('shares the count with its peer, when it has one', async () => {
      if (!s.peer) return;
      const caller = randomUUID();
      const held = (await s.slots.tryAcquire(caller, 1))!;
      await expect(s.peer.tryAcquire(caller, 1)).resolves.toBeNull();
      await held.release();
      await expect(s.peer.tryAcquire(caller, 1)).resolves.not.toBeNull();
    });
  });
}
