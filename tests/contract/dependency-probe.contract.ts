import type { DependencyProbe } from '../../src/application/ports/dependency-probe.port';
import type { DependencyCheck } from '../../src/domain/health/health-report';

export interface DependencyProbeUnderTest {
  probe: DependencyProbe;
  /** Takes the probed dependency away (connection refused, store unreachable, query failing). */
  breakDependency(): Promise<void>;
  close(): Promise<void>;
}

type Outcome = { answered: DependencyCheck } | { threw: unknown } | { timedOut: true };

/** The check, settled or not within `timeoutMs`: /health bounds every probe so, and a probe that needs longer reads as DOWN. */
async function checkWithin(probe: DependencyProbe, timeoutMs: number): Promise<{ outcome: Outcome; elapsedMs: number }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve({ timedOut: true }), timeoutMs)));
  const settled = probe.check().then(
    (answered): Outcome => ({ answered }),
    (threw: unknown): Outcome => ({ threw }),
  );
  try {
    return { outcome: await Promise.race([settled, timeout]), elapsedMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What every DependencyProbe promises to CheckHealth: a name and criticality for the report, an
 * answer in the documented shape (status, its own response time, JSON-ready facts) within the health
 * timeout while its dependency works, and never UP once it fails. A failing probe may say so by
 * rejecting (CheckHealth turns that into DOWN, keeping only domain error messages) or by answering
 * DOWN/DEGRADED with an error; either way it settles within the timeout for a refusing dependency.
 */
export function dependencyProbeContract(name: string, make: () => Promise<DependencyProbeUnderTest>, timeoutMs = 2_000): void {
  describe(`${name} (DependencyProbe contract)`, () => {
    let s: DependencyProbeUnderTest;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(() => s.close());

    it('names itself for the report and says whether it is critical', () => {
      expect(s.probe.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(typeof s.probe.critical).toBe('boolean');
    });

    it('answers in the documented shape, within the timeout, while its dependency works', async () => {
      const { outcome, elapsedMs } = await checkWithin(s.probe, timeoutMs);
      expect(outcome).toEqual({ answered: expect.anything() });
      const check = (outcome as { answered: DependencyCheck }).answered;
      expect(['UP', 'DEGRADED']).toContain(check.status);
      expect(Number.isFinite(check.responseTimeMs)).toBe(true);
      expect(check.responseTimeMs).toBeGreaterThanOrEqual(0);
      expect(check.responseTimeMs).toBeLessThanOrEqual(elapsedMs + 1);
      expect(check.facts).toEqual(expect.any(Object));
      // Facts go to /health as they are: JSON without loss.
      expect(JSON.parse(JSON.stringify(check.facts))).toEqual(check.facts);
      expect(check.error).toBeUndefined();
    });

    it('never reports UP once its dependency fails, and settles within the timeout', async () => {
      await s.breakDependency();
      const { outcome } = await checkWithin(s.probe, timeoutMs);
      expect(outcome).not.toHaveProperty('timedOut');
      if ('threw' in outcome) expect(outcome.threw).toBeInstanceOf(Error);
      if ('answered' in outcome) {
        expect(outcome.answered.status).not.toBe('UP');
        expect(outcome.answered.error).toEqual(expect.any(String));
      }
    });
  });
}
