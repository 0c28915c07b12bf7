import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TransferJob, TransferResult } from './transfer-worker';

const ROOT = path.resolve(__dirname, '..', '..');

const running = new Set<ChildProcess>();

/** Runs one transfer in its own process and returns its figures. */
export function runTransfer(job: TransferJob): Promise<TransferResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      [path.join(__dirname, 'transfer-worker.ts'), JSON.stringify(job)],
      { cwd: ROOT, maxBuffer: 10 * 1024 * 1024 },
      (error, stdout, stderr) => {
        running.delete(child);
        if (error) return reject(new Error(`transfer-worker (${job.kind}) failed: ${stderr || error.message}`));
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as TransferResult);
      },
    );
    running.add(child);
  });
}

/** Ends the transfers (workers, cp, curl) still running (an interrupted benchmark), so nothing writes into a folder being removed. */
export async function stopTransfers(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** Times a command (the `cp` baseline) from spawn to exit. */
export function timeCommand(command: string, args: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, (error, _stdout, stderr) => {
      running.delete(child);
      if (error) return reject(new Error(`${command} failed: ${stderr || error.message}`));
      resolve(Number(process.hrtime.bigint() - started) / 1e9);
    });
    running.add(child);
  });
}

/** A download by curl to /dev/null, when curl is installed: a second client, in C, for the same URLs. */
export function curlDownload(url: string, token: string | undefined): Promise<TransferResult> {
  const auth = token ? ['-H', `Authorization: Bearer ${token}`] : [];
  return new Promise((resolve, reject) => {
    const child = execFile('curl', ['-s', '-L', '-o', '/dev/null', '-w', '%{http_code} %{size_download} %{time_total}', ...auth, url], (error, stdout, stderr) => {
      running.delete(child);
      if (error) return reject(new Error(`curl failed: ${stderr || error.message}`));
      const [status, bytes, seconds] = stdout.trim().split(' ').map(Number);
      resolve({ status: status ?? 0, bytes: bytes ?? 0, seconds: seconds ?? 0 });
    });
    running.add(child);
  });
}

export function hasCurl(): boolean {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
