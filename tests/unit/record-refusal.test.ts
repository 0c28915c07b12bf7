import { InMemoryAuditLog } from '../../src/adapters/in-memory/fakes/in-memory-audit-log';
import { RecordRefusal } from '../../src/application/audit/record-refusal';
import { FakeClock } from '../support/fake-clock';
import { RecordingLogger } from '../support/recording-logger';

describe('RecordRefusal', () => {
  const refusal = (actorKey: string) => ({ actorKey, entry: { action: 'admin.access_refused', targetType: 'route', targetId: 'GET /api/v1/audit', outcome: 'FORBIDDEN' } });

  it('records at most `perWindow` refusals per actor per window, the last one marked, and starts again in the next window', async () => {
    const log = new InMemoryAuditLog();
    const clock = new FakeClock();
    const record = new RecordRefusal(log, clock, new RecordingLogger(), 3, 60_000);
    for (let i = 0; i < 10; i++) await record.execute(refusal('mallory'));
    await record.execute(refusal('eve'));
    expect(log.entries).toHaveLength(4);
    expect(log.entries.map((e) => e.details)).toEqual([{}, {}, { rate_limited: true }, {}]);
    clock.advance(60_000);
    await record.execute(refusal('mallory'));
    expect(log.entries).toHaveLength(5);
  });

  it('never throws when the trail cannot be written', async () => {
    const logger = new RecordingLogger();
    const record = new RecordRefusal({ record: () => Promise.reject(new Error('down')) }, new FakeClock(), logger);
    await expect(record.execute(refusal('x'))).resolves.toBeUndefined();
  });
});
