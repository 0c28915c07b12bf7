import type { UploadSlot, UploadSlots } from '../../../application/ports/upload-slots.port';

/** Slots counted in this process: the limit without Redis, and the fake unit tests use. */
export class InMemoryUploadSlots implements UploadSlots {
  private readonly held = new Map<string, number>();

  async tryAcquire(callerId: string, limit: number): Promise<UploadSlot | null> {
    const count = this.held.get(callerId) ?? 0;
    if (count >= limit) return null;
    this.held.set(callerId, count + 1);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        const left = (this.held.get(callerId) ?? 1) - 1;
        if (left > 0) this.held.set(callerId, left);
        else this.held.delete(callerId);
      },
    };
  }

  async close(): Promise<void> {
    this.held.clear();
  }
}
