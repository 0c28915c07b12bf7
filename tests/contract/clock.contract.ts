import type { Clock } from '../../src/application/ports/clock.port';

export interface ClockUnderTest {
  clock: Clock;
  /** Lets `ms` pass for the clock: advancing a fake, waiting for the system clock. */
  elapse(ms: number): Promise<void>;
}

/**
 * What every Clock promises to the use cases that stamp rows and compute deadlines with it: a valid
 * instant that never runs backwards, moves as time passes, and comes as a fresh Date the caller may
 * change without moving the clock.
 */
export function clockContract(name: string, make: () => ClockUnderTest): void {
  describe(`${name} (Clock contract)`, () => {
    it('tells a valid instant', () => {
      const { clock } = make();
      const now = clock.now();
      expect(now).toBeInstanceOf(Date);
      expect(Number.isFinite(now.getTime())).toBe(true);
    });

    it('never runs backwards from one call to the next', () => {
      const { clock } = make();
      let previous = clock.now().getTime();
      for (let i = 0; i < 1_000; i++) {
        const next = clock.now().getTime();
        expect(next).toBeGreaterThanOrEqual(previous);
        previous = next;
      }
    });

    it('moves on by the time that passes', async () => {
      const { clock, elapse } = make();
      const before = clock.now().getTime();
      await elapse(50);
      const moved = clock.now().getTime() - before;
      expect(moved).toBeGreaterThanOrEqual(50);
      expect(moved).toBeLessThan(50 + 1_000);
    });

    it('gives a Date of the caller\'s own: changing it does not move the clock', () => {
      const { clock } = make();
      const first = clock.now();
      const at = first.getTime();
      first.setFullYear(1999);
      expect(clock.now().getTime()).toBeGreaterThanOrEqual(at);
      expect(clock.now()).not.toBe(clock.now());
    });
  });
}
