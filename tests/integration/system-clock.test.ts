import type { Clock } from '../../src/application/ports/clock.port';
import { buildContainer } from '../../src/infrastructure/container';
import { TOKENS } from '../../src/infrastructure/tokens';
import { clockContract } from '../contract/clock.contract';
import { testConfig } from '../support/test-app';

/** The clock the composition root binds (resolving it connects to nothing). */
const systemClock = () => buildContainer(testConfig()).get<Clock>(TOKENS.Clock);

// A timer may fire a millisecond before Date.now() shows its full delay: wait a little longer.
clockContract('the system clock of the container', () => ({ clock: systemClock(), elapse: (ms) => new Promise((r) => setTimeout(r, ms + 5)) }));

describe('the system clock of the container', () => {
  it('tells the time of the machine', () => {
    const before = Date.now();
    const now = systemClock().now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
