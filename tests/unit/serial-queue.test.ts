import { SerialQueue } from '../../src/application/database/leases/serial-queue';

describe('SerialQueue', () => {
  it('runs tasks one at a time in arrival order and counts those not finished', async () => {
    const queue = new SerialQueue();
    const events: string[] = [];
    const task = (name: string, ms: number) => () =>
      new Promise<string>((resolve) => {
        events.push(`${name}+`);
        setTimeout(() => {
          events.push(`${name}-`);
          resolve(name);
        }, ms);
      });
    const all = Promise.all([queue.run(task('a', 20)), queue.run(task('b', 0)), queue.run(task('c', 5))]);
    expect(queue.size).toBe(3);
    await expect(all).resolves.toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
    expect(queue.size).toBe(0);
  });

  it('goes on after a failing task, which its caller sees fail', async () => {
    const queue = new SerialQueue();
    const failed = queue.run(async () => {
      throw new Error('boom');
    });
    const next = queue.run(async () => 'next');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });
});
