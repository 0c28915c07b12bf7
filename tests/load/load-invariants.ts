import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Client } from 'pg';
import type { Ledger } from './load-client';
import { call } from './load-http';
import type { LoadStats } from './load-stats';

export interface InvariantInput {
  base: string;
  db: Client;
  storageDir: string;
  stats: LoadStats;
  ledger: Ledger;
  /** Each user's token, to read its Redis counter through the API. */
  tokens: Map<string, string>;
  /** Object keys of completed backups (kept outside the files table by design). */
  backupKeys: string[];
}

export interface InvariantFigures {
  rows: number;
  committed: number;
  redisCounter: number;
  uploadsChecked: number;
  objects: number;
  fileRows: number;
}

/** The checks after a run; each violation is one line saying what was wrong. */
export async function checkInvariants(input: InvariantInput): Promise<{ violations: string[]; figures: InvariantFigures }> {
  const violations: string[] = [];
  for (const { kind, count } of input.stats.serverErrors()) violations.push(`${count} answers of 5xx to ${kind}`);
  for (const [kind, s] of input.stats.kinds) {
    if (s.errors > 0) violations.push(`${s.errors} unexpected answers to ${kind}, e.g. ${s.samples.join(' | ')}`);
  }
  const rows = await checkWrites(input, violations);
  const redisCounter = await checkRedisEffects(input, violations);
  const uploadsChecked = await checkUploads(input, violations);
  const { objects, fileRows } = await checkOrphans(input, violations);
  return { violations, figures: { rows, committed: input.ledger.committed.length, redisCounter, uploadsChecked, objects, fileRows } };
}

/** Every committed transaction's row exactly once; no row of a transaction that was refused. */
async function checkWrites({ db, ledger }: InvariantInput, violations: string[]): Promise<number> {
  const { rows } = await db.query<{ title: string; n: number; ids: string[] }>(
    `SELECT title, count(*)::int AS n, array_agg(id::text) AS ids FROM projects WHERE title LIKE 'load-%' GROUP BY title`,
  );
  const found = new Map(rows.map((r) => [r.title, r]));
  let lost = 0;
  for (const tx of ledger.committed) {
    const row = found.get(tx.title);
    if (!row) lost++;
    else if (row.n !== 1) violations.push(`duplicated write: ${row.n} rows titled ${tx.title}`);
    else if (row.ids[0] !== tx.id) violations.push(`row of ${tx.title} is ${row.ids[0]}, answered ${tx.id}`);
  }
  if (lost > 0) violations.push(`${lost} committed transactions have no row`);
  const committed = new Set(ledger.committed.map((t) => t.title));
  const phantom = rows.filter((r) => !committed.has(r.title) && !ledger.uncertain.has(r.title));
  if (phantom.length > 0) violations.push(`${phantom.length} rows of transactions not answered committed, e.g. ${phantom[0]!.title}`);
  return rows.reduce((sum, r) => sum + r.n, 0);
}

/** Each user's Redis counter equals its committed transactions (every incr applied, none twice), and its last `set` is its last commit's. */
async function checkRedisEffects({ base, ledger, tokens }: InvariantInput, violations: string[]): Promise<number> {
  const perUser = new Map<string, Ledger['committed']>();
  for (const tx of ledger.committed) {
    const list = perUser.get(tx.userId) ?? [];
    list.push(tx);
    perUser.set(tx.userId, list);
  }
  let total = 0;
  let wrong = 0;
  const samples: string[] = [];
  await eachLimited([...tokens], 16, async ([userId, token]) => {
    const res = await call(base, 'POST', '/api/v1/data/query', { token, json: { database: 'redis', query_type: 'get', keys: ['load:committed', 'load:last'] } });
    if (res.status !== 200) {
      violations.push(`reading ${userId}'s Redis keys answered ${res.status}: ${res.bytes.toString('utf8').slice(0, 200)}`);
      return;
    }
    const data = res.json()?.data ?? {};
    const counter = data['load:committed'] === null || data['load:committed'] === undefined ? 0 : Number(data['load:committed']);
    total += counter;
    const mine = perUser.get(userId) ?? [];
    // A client sends its transactions one after another: the last `set` applied is its last commit's.
    const last = mine.at(-1)?.title ?? null;
    if ((counter !== mine.length || (data['load:last'] ?? null) !== last) && ![...ledger.uncertain.values()].includes(userId)) {
      wrong++;
      if (samples.length < 3) samples.push(`${userId}: counter ${counter}, committed ${mine.length}, last ${data['load:last']} (expected ${last})`);
    }
  });
  if (wrong > 0) violations.push(`Redis effects differ from committed transactions for ${wrong} users, e.g. ${samples.join('; ')}`);
  return total;
}

/** Every upload answered 201 (or completed through tus) downloads with the sha256 of what was sent, and its row says so. */
async function checkUploads({ base, db, ledger }: InvariantInput, violations: string[]): Promise<number> {
  const sessions = ledger.uploads.filter((u) => u.tusSession).map((u) => u.tusSession!);
  const { rows } = await db.query<{ id: string; file_id: string; status: string }>('SELECT id::text, file_id::text, status FROM upload_sessions WHERE id::text = ANY($1)', [sessions]);
  const bySession = new Map(rows.map((r) => [r.id, r]));
  for (const upload of ledger.uploads) {
    if (!upload.tusSession) continue;
    const session = bySession.get(upload.tusSession);
    if (session?.status !== 'completed') violations.push(`tus upload ${upload.tusSession} answered its last PATCH but its session is ${session?.status ?? 'missing'}`);
    else upload.fileId = session.file_id;
  }
  const checkable = ledger.uploads.filter((u) => u.fileId);
  const { rows: fileRows } = await db.query<{ id: string; checksum_sha256: string; size_bytes: string }>('SELECT id::text, checksum_sha256, size_bytes FROM files WHERE id::text = ANY($1)', [checkable.map((u) => u.fileId!)]);
  const files = new Map(fileRows.map((r) => [r.id, r]));
  let bad = 0;
  const samples: string[] = [];
  await eachLimited(checkable, 16, async (upload) => {
    const row = files.get(upload.fileId!);
    const res = await call(base, 'GET', `/api/v1/storage/stream/${upload.fileId}`, { token: upload.token });
    const got = createHash('sha256').update(res.bytes).digest('hex');
    const problem = !row ? 'no files row'
      : row.checksum_sha256 !== upload.sha256 || Number(row.size_bytes) !== upload.size ? `row says ${row.checksum_sha256}/${row.size_bytes}`
      : res.status !== 200 ? `download answered ${res.status}`
      : got !== upload.sha256 ? `downloaded ${res.bytes.length} bytes with sha256 ${got}` : undefined;
    if (problem) {
      bad++;
      if (samples.length < 3) samples.push(`${upload.fileId}: ${problem}`);
    }
  });
  if (bad > 0) violations.push(`${bad} of ${checkable.length} uploads not downloadable with their sha256, e.g. ${samples.join('; ')}`);
  return checkable.length;
}

/**
 * No row without its object, no object without its row: every files.file_path is a file under
 * STORAGE_DIR, and every file there is a row's, a completed backup's archive, or the staged file of
 * an upload session still open. No `.partial` (an interrupted write's temporary file) anywhere.
 */
async function checkOrphans({ db, storageDir, backupKeys }: InvariantInput, violations: string[]): Promise<{ objects: number; fileRows: number }> {
  const onDisk = await listFiles(storageDir);
  const { rows } = await db.query<{ file_path: string }>('SELECT DISTINCT file_path FROM files');
  const keys = new Set(rows.map((r) => r.file_path));
  const { rows: open } = await db.query<{ provider_upload_id: string }>(`SELECT provider_upload_id FROM upload_sessions WHERE status = 'uploading'`);
  const staged = new Set(open.map((r) => `.uploads/${r.provider_upload_id}`));
  const present = new Set(onDisk);
  const partials = onDisk.filter((f) => f.endsWith('.partial'));
  if (partials.length > 0) violations.push(`${partials.length} .partial files left, e.g. ${partials[0]}`);
  const missing = [...keys].filter((k) => !present.has(k));
  if (missing.length > 0) violations.push(`${missing.length} files rows without their object, e.g. ${missing[0]}`);
  for (const key of backupKeys) if (!present.has(key)) violations.push(`backup archive ${key} is not in the store`);
  const orphans = onDisk.filter((f) => !f.endsWith('.partial') && !keys.has(f) && !backupKeys.includes(f) && !staged.has(f));
  if (orphans.length > 0) violations.push(`${orphans.length} objects without a row, e.g. ${orphans.slice(0, 3).join(', ')}`);
  return { objects: onDisk.length, fileRows: keys.size };
}

/** Paths of every regular file under `root`, relative to it, with `/` separators. */
async function listFiles(root: string): Promise<string[]> {
  const entries = await fsp.readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

export async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runner = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
}
