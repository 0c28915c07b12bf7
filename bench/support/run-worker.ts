import { execFile } from 'node:child_process';
import path from 'node:path';
import type { LoadResult } from './load-result';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs a load worker (http or direct) in its own process and returns its figures. */
export function runWorker(worker: 'http-load-worker' | 'direct-load-worker', job: object): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      [path.join(__dirname, `${worker}.ts`), JSON.stringify(job)],
      { cwd: ROOT, maxBuffer: 10 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${worker} failed: ${stderr || error.message}`));
        const last = stdout.trim().split('\n').pop() ?? '';
        resolve(JSON.parse(last) as LoadResult);
      },
    );
  });
}
