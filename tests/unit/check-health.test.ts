import { CheckHealth, rememberUpToDate } from '../../src/application/health/check-health';
import type { DependencyProbe } from '../../src/application/ports/dependency-probe.port';
import { DatabaseUnavailable } from '../../src/domain/shared/errors';

/** A probe that answers as told: UP, DOWN (with a thrown error), or never. */
function aProbe(name: string, critical: boolean, behaviour: 'up' | 'degraded' | Error | 'hang'): DependencyProbe {
  return {
    name,
    critical,
    check: () => {
      if (behaviour === 'hang') return new Promise(() => undefined);
      if (behaviour instanceof Error) return Promise.reject(behaviour);
      return Promise.resolve({ status: behaviour === 'up' ? 'UP' : 'DEGRADED', responseTimeMs: 3, facts: { probe: name } });
    },
  };
}

describe('CheckHealth', () => {
  it('is UP when every probe is, keeping each probe facts', async () => {
    const report = await new CheckHealth([aProbe('postgresql', true, 'up'), aProbe('redis', false, 'up')], 1_000).execute();
    expect(report).toEqual({
      status: 'UP',
      checks: {
        postgresql: { status: 'UP', responseTimeMs: 3, facts: { probe: 'postgresql' } },
        redis: { status: 'UP', responseTimeMs: 3, facts: { probe: 'redis' } },
      },
    });
  });

  it('is DOWN when a critical probe fails, with the domain error message', async () => {
    const report = await new CheckHealth([aProbe('postgresql', true, new DatabaseUnavailable('Unable to reach the database')), aProbe('redis', false, 'up')], 1_000).execute();
    expect(report.status).toBe('DOWN');
    expect(report.checks.postgresql).toMatchObject({ status: 'DOWN', error: 'Unable to reach the database', facts: {} });
  });

  it('is DEGRADED when only a non-critical probe fails', async () => {
    const report = await new CheckHealth([aProbe('postgresql', true, 'up'), aProbe('redis', false, new Error('ECONNREFUSED'))], 1_000).execute();
    expect(report.status).toBe('DEGRADED');
    expect(report.checks.redis!.status).toBe('DOWN');
  });

  it('is DEGRADED when a probe reports itself degraded', async () => {
    expect((await new CheckHealth([aProbe('postgresql', true, 'up'), aProbe('migrations', false, 'degraded')], 1_000).execute()).status).toBe('DEGRADED');
  });

  it('never shows the message of an unexpected error, which may name hosts', async () => {
    const report = await new CheckHealth([aProbe('redis', false, new Error('connect ECONNREFUSED 10.0.3.7:6379'))], 1_000).execute();
    expect(report.checks.redis!.error).toBe('check failed');
  });

  it('bounds a probe that never answers by the timeout: DOWN, while the others still report', async () => {
    const report = await new CheckHealth([aProbe('postgresql', true, 'hang'), aProbe('redis', false, 'up')], 50).execute();
    expect(report.status).toBe('DOWN');
    expect(report.checks.postgresql).toMatchObject({ status: 'DOWN', error: 'no answer within 50ms' });
    expect(report.checks.redis!.status).toBe('UP');
  });

  it('is ready when the critical probes answer, whatever the others do', async () => {
    await expect(new CheckHealth([aProbe('postgresql', true, 'up'), aProbe('redis', false, 'hang')], 50).ready()).resolves.toBe(true);
    await expect(new CheckHealth([aProbe('postgresql', true, 'hang'), aProbe('redis', false, 'up')], 50).ready()).resolves.toBe(false);
    await expect(new CheckHealth([aProbe('postgresql', true, new DatabaseUnavailable('down'))], 50).ready()).resolves.toBe(false);
  });

  it('is not ready while migrations are pending or unreadable, and says so', async () => {
    const up = [aProbe('postgresql', true, 'up')];
    await expect(new CheckHealth(up, 50, { pendingMigrations: async () => 0 }).readiness()).resolves.toEqual({ ready: true, reasons: [] });
    await expect(new CheckHealth(up, 50, { pendingMigrations: async () => 2 }).readiness()).resolves.toEqual({ ready: false, reasons: ['migrations_pending'] });
    await expect(new CheckHealth(up, 50, { pendingMigrations: () => new Promise(() => undefined) }).readiness()).resolves.toEqual({ ready: false, reasons: ['migrations_unknown'] });
    await expect(new CheckHealth(up, 50, { pendingMigrations: () => Promise.reject(new Error('ECONNREFUSED')) }).readiness()).resolves.toEqual({ ready: false, reasons: ['migrations_unknown'] });
  });

  it('remembers "all migrations applied" for a while, never a pending count', async () => {
    let clock = 0;
    const counts = [2, 0, 5];
    const count = jest.fn(async () => counts.shift()!);
    const pending = rememberUpToDate(10_000, count, () => clock);
    await expect(pending()).resolves.toBe(2);
    await expect(pending()).resolves.toBe(0);
    clock = 9_999;
    await expect(pending()).resolves.toBe(0);
    expect(count).toHaveBeenCalledTimes(2);
    clock = 10_000;
    await expect(pending()).resolves.toBe(5);
  });

  it('is not ready once shutting down, without calling any dependency', async () => {
    const check = jest.fn(() => Promise.resolve({ status: 'UP' as const, responseTimeMs: 1, facts: {} }));
    const pending = jest.fn(async () => 0);
    const health = new CheckHealth([{ name: 'postgresql', critical: true, check }], 50, { pendingMigrations: pending, shuttingDown: () => true });
    await expect(health.readiness()).resolves.toEqual({ ready: false, reasons: ['shutting_down'] });
    expect(check).not.toHaveBeenCalled();
    expect(pending).not.toHaveBeenCalled();
  });
});
