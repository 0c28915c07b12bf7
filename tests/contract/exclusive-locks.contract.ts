import { randomBytes } from 'node:crypto';
import type { ExclusiveLocks } from '../../src/application/ports/exclusive-locks.port';
import { eventually } from '../support/eventually';

export interface ExclusiveLocksWorld {
  /** Two processes sharing one database. */
  first: ExclusiveLocks;
  second: ExclusiveLocks;
  /** Ends `locks`'s session as a crash or a network cut would. */
  loseSession(locks: ExclusiveLocks): Promise<void>;
  close(): Promise<void>;
}

/**
 * What one-process background tasks rely on: a lock one process holds at a time, until it releases
 * it, closes, or loses its session (then told so, and the lock is free for another).
 */
export function exclusiveLocksContract(name: string, make: () => Promise<ExclusiveLocksWorld>): void {
  describe(`${name} (ExclusiveLocks contract)`, () => {
    let world: ExclusiveLocksWorld;
    const lock = () => `contract ${randomBytes(6).toString('hex')}`;
    beforeEach(async () => {
      world = await make();
    });
    afterEach(async () => {
      await world.close();
    });

    it('is held by one process at a time; the holder asking again still holds it', async () => {
      const name = lock();
      expect(await world.first.tryAcquire(name)).toBe(true);
      expect(await world.second.tryAcquire(name)).toBe(false);
      expect(await world.first.tryAcquire(name)).toBe(true);
      expect(await world.second.tryAcquire(lock())).toBe(true);
    });

    it('is free for another process once released, or once its holder closes', async () => {
      const [a, b] = [lock(), lock()];
      await world.first.tryAcquire(a);
      await world.first.tryAcquire(b);
      await world.first.release(a);
      expect(await world.second.tryAcquire(a)).toBe(true);
      expect(await world.second.tryAcquire(b)).toBe(false);
      await world.first.close();
      expect(await world.second.tryAcquire(b)).toBe(true);
    });

    it('tells its holder when the session is lost, and another process may take it then', async () => {
      const name = lock();
      const lost: string[][] = [];
      world.first.onLost((names) => lost.push(names));
      await world.first.tryAcquire(name);
      await world.loseSession(world.first);
      await eventually('the loss to be reported', () => (lost.length > 0 ? true : undefined));
      expect(lost).toEqual([[name]]);
      expect(await world.second.tryAcquire(name)).toBe(true);
      // The one that lost it asks again: refused, as for anyone else.
      expect(await world.first.tryAcquire(name)).toBe(false);
    });
  });
}
