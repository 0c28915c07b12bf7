import { newMigrationRun, progressOf, runFailed, runInterrupted, stepCompleted, stepStarted } from '../../src/domain/database/migration-run';
import { aMigrationScript } from '../support/migration-builders';

const plan = [
  aMigrationScript('20240115_001').estimatedAt(60_000).build(),
  aMigrationScript('20240115_002').estimatedAt(30_000).build(),
  aMigrationScript('20240116_001').estimatedAt(10_000).build(),
];
const at = (s: number) => new Date(Date.UTC(2024, 0, 15, 9, 0, s));
const started = () => newMigrationRun({ id: 'mig_1', plan, targetVersion: null, dryRun: false, now: at(0) });

describe('MigrationRun', () => {
  it('starts running with every step pending and the whole estimate remaining', () => {
    const run = started();
    expect(run.status).toBe('running');
    expect(run.steps.map((s) => s.status)).toEqual(['pending', 'pending', 'pending']);
    expect(progressOf(run)).toEqual({ currentStep: 0, totalSteps: 3, estimatedRemainingMs: 100_000 });
  });

  it('is complete at once when there is nothing to apply, and for a dry run', () => {
    expect(newMigrationRun({ id: 'mig_1', plan: [], targetVersion: null, dryRun: false, now: at(0) })).toMatchObject({ status: 'completed', finishedAt: at(0) });
    const dry = newMigrationRun({ id: 'mig_2', plan, targetVersion: null, dryRun: true, now: at(0) });
    expect(dry).toMatchObject({ status: 'completed', dryRun: true });
    expect(progressOf(dry)).toEqual({ currentStep: 0, totalSteps: 3, estimatedRemainingMs: 100_000 });
  });

  it('tracks the step in progress and what remains', () => {
    let run = stepStarted(started(), '20240115_001', at(1));
    run = stepCompleted(run, '20240115_001', 900, at(2));
    run = stepStarted(run, '20240115_002', at(2));
    expect(progressOf(run)).toEqual({ currentStep: 2, totalSteps: 3, estimatedRemainingMs: 40_000 });
    expect(run.steps[0]).toMatchObject({ status: 'completed', durationMs: 900, startedAt: at(1), finishedAt: at(2) });
  });

  it('completes when the last step does', () => {
    let run = started();
    for (const [i, m] of plan.entries()) run = stepCompleted(stepStarted(run, m.version, at(i)), m.version, 1, at(i + 1));
    expect(run).toMatchObject({ status: 'completed', finishedAt: at(3), error: null });
    expect(progressOf(run)).toEqual({ currentStep: 3, totalSteps: 3, estimatedRemainingMs: 0 });
  });

  it('fails at a step, skipping the ones after it', () => {
    let run = stepCompleted(stepStarted(started(), '20240115_001', at(1)), '20240115_001', 1, at(2));
    run = runFailed(stepStarted(run, '20240115_002', at(2)), '20240115_002', 'syntax error', at(3));
    expect(run).toMatchObject({ status: 'failed', finishedAt: at(3), error: { version: '20240115_002', message: 'syntax error' } });
    expect(run.steps.map((s) => s.status)).toEqual(['completed', 'failed', 'skipped']);
    expect(progressOf(run)).toMatchObject({ currentStep: 2, estimatedRemainingMs: 0 });
  });

  it('blames an interrupted run on the step it was at', () => {
    const run = runInterrupted(stepStarted(started(), '20240115_001', at(1)), at(9));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ version: '20240115_001', message: expect.stringMatching(/interrupted/) });
  });
});
