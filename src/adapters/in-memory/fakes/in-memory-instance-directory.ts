import type { Clock } from '../../../application/ports/clock.port';
import type { InstanceDirectory, InstanceStatus } from '../../../application/ports/instance-directory.port';

/** The unit tests' instance registry, on the given clock. */
export class InMemoryInstanceDirectory implements InstanceDirectory {
  private readonly entries = new Map<string, { internalUrl: string; expiresAt: number; stopped: boolean }>();

  constructor(private readonly clock: Clock) {}

  async announce(instanceId: string, internalUrl: string, ttlSeconds: number): Promise<void> {
    this.entries.set(instanceId, { internalUrl, expiresAt: this.now() + ttlSeconds * 1000, stopped: false });
  }

  async withdraw(instanceId: string): Promise<void> {
    const entry = this.entries.get(instanceId);
    if (entry) this.entries.set(instanceId, { ...entry, expiresAt: this.now(), stopped: true });
  }

  async status(instanceId: string): Promise<InstanceStatus> {
    const entry = this.entries.get(instanceId);
    if (!entry) return { state: 'unknown' };
    return !entry.stopped && entry.expiresAt > this.now()
      ? { state: 'live', internalUrl: entry.internalUrl }
      : { state: 'gone', withdrawn: entry.stopped, internalUrl: entry.internalUrl };
  }

  async forgetGoneFor(seconds: number): Promise<number> {
    let forgotten = 0;
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt < this.now() - seconds * 1000) {
        this.entries.delete(id);
        forgotten += 1;
      }
    }
    return forgotten;
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}
