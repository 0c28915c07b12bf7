import { INLINE_BACKLOG_LIMIT } from '../../src/application/database/writes/outbox-post-commit';
import { RelayLoop } from '../../src/adapters/in-process/relay-loop';
import type { RawOperation } from '../../src/domain/database/transaction-spec';
import { aCaller } from '../support/caller-builder';
import { eventually } from '../support/eventually';
import { RecordingLogger } from '../support/recording-logger';
import { transactionWorld } from '../support/transaction-world';

const caller = aCaller().build();
const incr = (key: string) => ({ database: 'redis', operation: 'incr', key }) as RawOperation;

describe('outbox relay', () => {
  it('purges entries applied more than a day ago, checking at most every ten minutes', async () => {
    const w = transactionWorld();
    await w.runTransaction.execute({ caller, operations: [incr('a')] });
    await w.relay.execute();
    expect(w.outbox.all()).toHaveLength(1);
    w.clock.advance(25 * 3600_000);
    await w.runTransaction.execute({ caller, operations: [incr('b')] });
    await w.relay.execute();
    expect(w.outbox.all().map((e) => e.effect)).toEqual([{ kind: 'redis', command: { op: 'incr', key: `data:user:${caller.userId}:b` } }]);
  });

  it('leaves a request\'s effects to the relay behind a long backlog, then applies them all in order', async () => {
    const w = transactionWorld();
    w.effects.down = true;
    for (let i = 0; i <= INLINE_BACKLOG_LIMIT; i++) await w.runTransaction.execute({ caller, operations: [incr('n')] });
    w.effects.down = false;
    const late = await w.runTransaction.execute({ caller, operations: [incr('n')] });
    expect(late.results[0]?.status).toBe('pending');
    w.clock.advance(2_000);
    await w.relay.execute();
    await expect(w.store.get(`data:user:${caller.userId}:n`)).resolves.toBe(String(INLINE_BACKLOG_LIMIT + 2));
  });

  it('reports an outage once when it starts and once when it ends', async () => {
    const w = transactionWorld();
    w.effects.down = true;
    await w.runTransaction.execute({ caller, operations: [incr('n')] });
    await w.runTransaction.execute({ caller, operations: [incr('n')] });
    w.effects.down = false;
    await w.runTransaction.execute({ caller, operations: [incr('n')] });
    expect(w.logger.entries.map((e) => [e.level, e.msg])).toEqual([
      ['warn', 'outbox effects not applied; the relay will retry'],
      ['info', 'outbox effects applied again'],
    ]);
  });
});

describe('RelayLoop', () => {
  it('runs at once when triggered, never two passes at a time, and finishes its pass on stop', async () => {
    let running = 0;
    let most = 0;
    let passes = 0;
    const loop = new RelayLoop(
      async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 20));
        passes += 1;
        running -= 1;
      },
      60_000,
      new RecordingLogger(),
    );
    loop.start();
    loop.trigger();
    loop.trigger();
    loop.trigger();
    await eventually('two passes', () => (passes >= 2 ? true : undefined));
    await loop.stop();
    expect(most).toBe(1);
    expect(passes).toBe(2);
  });

  it('passes every interval, and logs a failing run of passes once', async () => {
    const logger = new RecordingLogger();
    let passes = 0;
    const loop = new RelayLoop(
      async () => {
        passes += 1;
        if (passes <= 3) throw new Error('database down');
      },
      10,
      logger,
    );
    loop.start();
    await eventually('five passes', () => (passes >= 5 ? true : undefined));
    await loop.stop();
    expect(logger.entries.map((e) => e.level)).toEqual(['warn', 'info']);
  });
});
