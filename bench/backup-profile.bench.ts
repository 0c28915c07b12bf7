import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AesGcmArchiveCipher } from '../src/adapters/crypto/aes-gcm-archive-cipher';
import { LocalDiskObjectStore } from '../src/adapters/object-store/local-disk-object-store';
import { EXCLUDED_SCHEMAS, EXCLUDED_TABLES } from '../src/adapters/postgres/pg-dump-database-dumper';
import { fillDatabase } from './support/backup-bench-data';
import { createBenchDatabase } from './support/bench-database';

/**
 * `npx tsx bench/backup-profile.bench.ts`: where a service backup's time goes, by stages added one at a
 * time to pg_dump (the service's arguments) on a generated database of BENCH_BACKUP_GIB GiB: its output
 * discarded, then hashed and encrypted by the service's AesGcmArchiveCipher, then written through the
 * service's LocalDiskObjectStore; with pg_dump's own CPU time (from /usr/bin/time). What is left between
 * the last stage and bench:backup's service backup is the service's own (queue, snapshot, manifest).
 */
const GIB = Number(process.env.BENCH_BACKUP_GIB ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const log = (line: string) => process.stdout.write(line);

type Stage = 'file' | 'discard' | 'cipher' | 'store';
const STAGES: Array<[Stage, string]> = [
  ['file', 'pg_dump -Fc -f file (baseline)'],
  ['discard', 'pg_dump (service args) → Node, discarded'],
  ['cipher', '… → sha256 + AesGcmArchiveCipher, discarded'],
  ['store', '… → sha256 + AesGcmArchiveCipher → LocalDiskObjectStore.put'],
];

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-backup-profile-'));
  const db = await createBenchDatabase();
  try {
    log(`generating ~${GIB} GiB...\n`);
    const bytes = await fillDatabase(db.url, GIB * 2 ** 30, () => undefined);
    const store = new LocalDiskObjectStore(path.join(tmp, 'store'));
    const cipher = new AesGcmArchiveCipher(randomBytes(32));
    const results = new Map<Stage, Array<{ wall: number; cpu: number }>>(STAGES.map(([s]) => [s, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [stage, label] of STAGES) {
        log(`round ${round}/${ROUNDS}: ${label}...\n`);
        results.get(stage)!.push(await run(stage, db.url, tmp, cipher, store));
      }
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;
    log(`\nDatabase ${(bytes / 2 ** 20).toFixed(0)} MiB, ${ROUNDS} rounds interleaved, ${os.cpus().length} CPUs; lower median of wall seconds.\n\n`);
    log('| stage | wall s (runs) | MB/s | pg_dump CPU s (user+sys) |\n|---|---|---:|---:|\n');
    for (const [stage, label] of STAGES) {
      const runs = results.get(stage)!;
      const wall = median(runs.map((r) => r.wall));
      log(`| ${label} | ${wall.toFixed(1)} (${runs.map((r) => r.wall.toFixed(1)).join(', ')}) | ${(bytes / 1e6 / wall).toFixed(1)} | ${median(runs.map((r) => r.cpu)).toFixed(1)} |\n`);
    }
  } finally {
    await db.drop().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function run(stage: Stage, url: string, tmp: string, cipher: AesGcmArchiveCipher, store: LocalDiskObjectStore): Promise<{ wall: number; cpu: number }> {
  const file = path.join(tmp, 'direct.dump');
  const args =
    stage === 'file'
      ? ['-Fc', '-f', file, `--dbname=${url}`]
      : ['--format=custom', '--verbose', ...EXCLUDED_SCHEMAS.map((s) => `--exclude-schema=${s}`), ...EXCLUDED_TABLES.map((t) => `--exclude-table=${t}`), `--dbname=${url}`];
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-f', 'TIME %U %S', 'pg_dump', ...args], { stdio: ['ignore', stage === 'file' ? 'ignore' : 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  if (stage !== 'file') {
    const archive = child.stdout as Readable;
    const hash = createHash('sha256');
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const discard = () => new Writable({ write: (_c, _e, done) => done() });
    if (stage === 'discard') await pipeline(archive, discard());
    else if (stage === 'cipher') await pipeline(archive, meter, cipher.encrypt(), discard());
    else {
      const encrypted = cipher.encrypt();
      await Promise.all([pipeline(archive, meter, encrypted), store.put('backups/db/profile.vbk', encrypted)]);
    }
  }
  if ((await exited) !== 0) throw new Error(`pg_dump failed: ${stderr}`);
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const [user, sys] = (/TIME ([\d.]+) ([\d.]+)/.exec(stderr) ?? ['', '0', '0']).slice(1).map(Number);
  fs.rmSync(file, { force: true });
  await store.delete('backups/db/profile.vbk');
  return { wall, cpu: user! + sys! };
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
