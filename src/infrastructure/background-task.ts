import type { RouteBuilder } from '../adapters/http/route-builder';

/**
 * Work a module runs while the service is up (a periodic sweep, a queue worker, a log reader). Built
 * by its module, started only by whoever runs the service: building the container or mounting
 * routes starts nothing.
 */
export interface BackgroundTask {
  readonly name: string;
  /** How it runs, for people reading the startup log or /health: 'every 60s', 'queue worker x2'. */
  readonly schedule: string;
  /**
   * Work that must run in one process at a time across every process and instance sharing the
   * database (a sweep, a retention pass): the container runs it under a lock (ExclusiveTask).
   * Absent: it runs in every process (its state is the process's own, or it is safe in parallel).
   */
  readonly exclusive?: boolean;
  start(): Promise<void> | void;
  /** Nothing runs after it resolves; the work in progress, if any, has finished. */
  stop(): Promise<void>;
}

/** What a capability module hands the composition root: its routes and its background work. */
export interface Capability {
  /** Adds the module's routes; starts nothing. */
  mountRoutes(routes: RouteBuilder): void;
  tasks: BackgroundTask[];
}

/** 'every 500ms', 'every 30s', 'every 15min', 'every 1h': the startup log's and /health's account of a period. */
export function every(intervalMs: number): string {
  if (intervalMs % 3_600_000 === 0) return `every ${intervalMs / 3_600_000}h`;
  if (intervalMs % 60_000 === 0) return `every ${intervalMs / 60_000}min`;
  if (intervalMs % 1_000 === 0) return `every ${intervalMs / 1_000}s`;
  return `every ${intervalMs}ms`;
}
