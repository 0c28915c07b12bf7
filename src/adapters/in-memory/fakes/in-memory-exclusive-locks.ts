import type { ExclusiveLocks } from '../../../application/ports/exclusive-locks.port';

/**
 * One process's handle on locks kept in memory. Handles built over the same `holders` map play
 * processes sharing a database; by default each handle is a deployment of its own (a test app).
 * `loseAll()` plays a lost database session.
 */
export class InMemoryExclusiveLocks implements ExclusiveLocks {
  private readonly listeners: Array<(names: string[]) => void> = [];

  constructor(private readonly holders: Map<string, InMemoryExclusiveLocks> = new Map()) {}

  async tryAcquire(name: string): Promise<boolean> {
    const holder = this.holders.get(name);
    if (holder && holder !== this) return false;
    this.holders.set(name, this);
    return true;
  }

  async release(name: string): Promise<void> {
    if (this.holders.get(name) === this) this.holders.delete(name);
  }

  onLost(listener: (names: string[]) => void): void {
    this.listeners.push(listener);
  }

  loseAll(): void {
    const names = this.names();
    for (const name of names) this.holders.delete(name);
    for (const listener of this.listeners) listener(names);
  }

  async close(): Promise<void> {
    for (const name of this.names()) this.holders.delete(name);
  }

  private names(): string[] {
    return [...this.holders].filter(([, holder]) => holder === this).map(([name]) => name);
  }
}
