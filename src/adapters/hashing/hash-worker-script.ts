import path from 'node:path';
import type { WorkerOptions } from 'node:worker_threads';

/**
 * Where the hash thread's module is, and how a worker loads it. Built (dist), this module is .js and
 * so is the worker's, which node runs as is. From source (ts-jest, tsx) the worker's module is .ts,
 * which a worker thread can only load through tsx's CommonJS hook: a dev dependency, present
 * wherever the sources run.
 */
export function hashWorkerScript(): { filename: string; options: Pick<WorkerOptions, 'execArgv'> } {
  const fromSource = path.extname(__filename) === '.ts';
  const filename = path.join(__dirname, `content-hash-worker${fromSource ? '.ts' : '.js'}`);
  return fromSource ? { filename, options: { execArgv: ['--require', require.resolve('tsx/cjs')] } } : { filename, options: {} };
}
