import type { MigrationDefinition } from './migration';

export type MigrationRunStatus = 'running' | 'completed' | 'failed';
/** `skipped`: never attempted because an earlier step of the run failed. */
export type MigrationStepStatus = 'pending' | 'running' | 'completed' | 'failed' | 'skipped';

export interface MigrationStep {
  readonly version: string;
  readonly description: string;
  readonly estimatedDurationMs: number;
  readonly status: MigrationStepStatus;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly durationMs: number | null;
}

export interface MigrationRunError {
  readonly version: string;
  readonly message: string;
}

/**
 * One request to migrate, recorded so that any instance can report on it. Immutable: each
 * transition below returns the next state. A dry run is recorded already completed, its steps
 * left pending: it shows what would run.
 */
export interface MigrationRun {
  readonly id: string;
  readonly status: MigrationRunStatus;
  readonly dryRun: boolean;
  readonly targetVersion: string | null;
  readonly steps: readonly MigrationStep[];
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly error: MigrationRunError | null;
}

export interface MigrationProgress {
  /** 1-based step being applied (or that failed); once none is, how many completed. */
  readonly currentStep: number;
  readonly totalSteps: number;
  readonly estimatedRemainingMs: number;
}

export function newMigrationRun(input: {
  id: string;
  plan: readonly MigrationDefinition[];
  targetVersion: string | null;
  dryRun: boolean;
  now: Date;
}): MigrationRun {
  const finished = input.dryRun || input.plan.length === 0;
  return {
    id: input.id,
    status: finished ? 'completed' : 'running',
    dryRun: input.dryRun,
    targetVersion: input.targetVersion,
    steps: input.plan.map((m) => ({
      version: m.version,
      description: m.description,
      estimatedDurationMs: m.estimatedDurationMs,
      status: 'pending',
      startedAt: null,
      finishedAt: null,
      durationMs: null,
    })),
    startedAt: input.now,
    finishedAt: finished ? input.now : null,
    error: null,
  };
}

export function stepStarted(run: MigrationRun, version: string, now: Date): MigrationRun {
  return withStep(run, version, (s) => ({ ...s, status: 'running', startedAt: now }));
}

export function stepCompleted(run: MigrationRun, version: string, durationMs: number, now: Date): MigrationRun {
  const next = withStep(run, version, (s) => ({ ...s, status: 'completed', finishedAt: now, durationMs }));
  const done = next.steps.every((s) => s.status === 'completed');
  return done ? { ...next, status: 'completed', finishedAt: now } : next;
}

/**
 * The failing step is marked failed and every step still pending is skipped. A step already
 * completed stays so (the failure came after it committed, e.g. while recording progress).
 */
export function runFailed(run: MigrationRun, version: string, message: string, now: Date): MigrationRun {
  const failed = withStep(run, version, (s) => (s.status === 'completed' ? s : { ...s, status: 'failed', finishedAt: now }));
  return {
    ...failed,
    status: 'failed',
    finishedAt: now,
    error: { version, message },
    steps: failed.steps.map((s) => (s.status === 'pending' ? { ...s, status: 'skipped' } : s)),
  };
}

/** A run left `running` by a process that stopped: blamed on the step it was at. */
export function runInterrupted(run: MigrationRun, now: Date): MigrationRun {
  const at = run.steps.find((s) => s.status === 'running') ?? run.steps.find((s) => s.status === 'pending');
  const message = 'The run was interrupted (its process stopped) before it finished';
  if (!at) return { ...run, status: 'failed', finishedAt: now, error: { version: run.targetVersion ?? '', message } };
  return runFailed(run, at.version, message, now);
}

export function progressOf(run: MigrationRun): MigrationProgress {
  const active = run.steps.findIndex((s) => s.status === 'running' || s.status === 'failed');
  const completed = run.steps.filter((s) => s.status === 'completed').length;
  const remaining = run.steps.filter((s) => s.status === 'pending' || s.status === 'running');
  return {
    currentStep: active >= 0 ? active + 1 : completed,
    totalSteps: run.steps.length,
    estimatedRemainingMs: run.status === 'failed' ? 0 : remaining.reduce((sum, s) => sum + s.estimatedDurationMs, 0),
  };
}

function withStep(run: MigrationRun, version: string, change: (step: MigrationStep) => MigrationStep): MigrationRun {
  if (!run.steps.some((s) => s.version === version)) throw new Error(`Run ${run.id} has no step ${version}`);
  return { ...run, steps: run.steps.map((s) => (s.version === version ? change(s) : s)) };
}
