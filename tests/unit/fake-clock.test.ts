import { clockContract } from '../contract/clock.contract';
import { FakeClock } from '../support/fake-clock';

clockContract('FakeClock', () => {
  const clock = new FakeClock();
  return { clock, elapse: async (ms) => clock.advance(ms) };
});

describe('FakeClock', () => {
  it('stands still until told to move', async () => {
    const clock = new FakeClock(new Date('2024-01-15T10:30:00Z'));
    await new Promise((r) => setTimeout(r, 20));
    expect(clock.now().toISOString()).toBe('2024-01-15T10:30:00.000Z');
    clock.advance(1_500);
    expect(clock.now().toISOString()).toBe('2024-01-15T10:30:01.500Z');
  });
});
