import { createHash, randomBytes } from 'node:crypto';
import { aPng } from '../support/media-fixtures';
import { call, type Answer } from './load-http';
import type { LoadStats } from './load-stats';

/** What the clients were told was written, for the checks after the run. */
export interface Ledger {
  /** Transactions answered `committed`: their project's title and id, and their user. */
  committed: Array<{ userId: string; title: string; id: string }>;
  /** Transactions whose answer never came or was a 5xx (they may or may not have committed): title → user. */
  uncertain: Map<string, string>;
  /** Redis operations answered `pending` instead of `success` (applied later by the relay). */
  redisPending: number;
  /** Uploads answered 201 (multipart) or completed (tus, file id read from its session later). */
  uploads: Array<{ userId: string; token: string; sha256: string; size: number; fileId?: string; tusSession?: string }>;
  transforms: string[];
}

export const newLedger = (): Ledger => ({ committed: [], uncertain: new Map(), redisPending: 0, uploads: [], transforms: [] });

export interface ClientContext {
  base: string;
  index: number;
  userId: string;
  token: string;
  stats: LoadStats;
  ledger: Ledger;
}

/** The mix: weights of each kind of work a client picks at random for its next request. */
const MIX: Array<[Kind, number]> = [
  ['query_hit', 18],
  ['query_miss', 10],
  ['transaction', 24],
  ['upload', 7],
  ['tus', 4],
  ['lease', 3],
  ['download', 12],
  ['range', 12],
  ['transform', 2],
];
type Kind = 'query_hit' | 'query_miss' | 'transaction' | 'upload' | 'tus' | 'lease' | 'download' | 'range' | 'transform';
const WEIGHT = MIX.reduce((sum, [, w]) => sum + w, 0);

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Plain text (hex), unique per upload: sniffed as text/plain, nothing for the metadata extractor to chew on. */
const someText = (size: number) => Buffer.from(randomBytes(Math.ceil(size / 2)).toString('hex')).subarray(0, size);
const b64 = (s: string) => Buffer.from(s).toString('base64');
const TUS = { 'Tus-Resumable': '1.0.0' };

/** One simulated caller: its own user, picking the next kind of work at random until `deadline`. */
export class LoadClient {
  private seq = 0;
  /** Its uploads whose bytes it keeps (a few, small), to compare downloads and ranges with. */
  private readonly kept: Array<{ id: string; content: Buffer }> = [];
  private pngId: string | undefined;

  constructor(private readonly c: ClientContext) {}

  async run(deadline: number): Promise<void> {
    while (Date.now() < deadline) await this.step(pick());
  }

  private async step(kind: Kind): Promise<void> {
    switch (kind) {
      case 'query_hit':
        return this.queryHit();
      case 'query_miss':
        return this.queryMiss();
      case 'transaction':
        return this.transaction();
      case 'upload':
        return this.upload();
      case 'tus':
        return this.tus();
      case 'lease':
        return this.lease();
      case 'download':
        return this.kept.length > 0 ? this.download() : this.upload();
      case 'range':
        return this.kept.length > 0 ? this.range() : this.upload();
      case 'transform':
        return this.transform();
    }
  }

  private post(route: string, json: unknown, token = this.c.token): Promise<Answer> {
    return call(this.c.base, 'POST', route, { token, json });
  }

  private expect(kind: string, res: Answer, status: number, check: () => boolean = () => true): boolean {
    const ok = res.status === status && check();
    this.c.stats.record(kind, res.ms, res.status === 0 ? 'network' : res.status, ok, ok ? undefined : res.bytes.toString('utf8'));
    return ok;
  }

  /** The same query every time (its own users row): after the first, a cache hit, since `users` is not written during the run. */
  private async queryHit(): Promise<void> {
    const res = await this.post('/api/v1/data/query', { database: 'postgresql', query_type: 'select', table: 'users', filters: { id: this.c.userId }, fields: ['id', 'email'] });
    this.expect(`query_${res.json()?.cache ?? 'hit?'}`, res, 200, () => res.json()?.data?.length === 1);
  }

  /** A different query every time: a miss (or the `projects` generation moved under it anyway). */
  private async queryMiss(): Promise<void> {
    const res = await this.post('/api/v1/data/query', {
      database: 'postgresql', query_type: 'select', table: 'projects',
      filters: { title: { ilike: `load-${this.c.index}-%${Math.floor(Math.random() * 1000)}%` } },
      fields: ['id', 'title'], pagination: { page: 1, limit: 10 },
    });
    this.expect(`query_${res.json()?.cache ?? 'miss?'}_varied`, res, 200, () => Array.isArray(res.json()?.data));
  }

  /** A row and two Redis effects in one unit; the counter must end equal to the rows committed. */
  private async transaction(): Promise<void> {
    const title = `load-${this.c.index}-${this.seq++}`;
    const res = await this.post('/api/v1/data/transaction', {
      operations: [
        { database: 'postgresql', operation: 'insert', table: 'projects', data: { title }, returning: ['id'] },
        { database: 'redis', operation: 'incr', key: 'load:committed' },
        { database: 'redis', operation: 'set', key: 'load:last', value: title, ttl: 3600 },
      ],
    });
    const body = res.json();
    const ok = this.expect('transaction', res, 200, () => body?.status === 'committed' && typeof body.results?.[0]?.data?.id === 'string');
    if (ok) {
      this.c.ledger.committed.push({ userId: this.c.userId, title, id: body.results[0].data.id });
      this.c.ledger.redisPending += (body.results as Array<{ status: string }>).slice(1).filter((r) => r.status !== 'success').length;
    } else if (res.status === 0 || res.status >= 500) {
      this.c.ledger.uncertain.set(title, this.c.userId);
    }
  }

  private async upload(): Promise<void> {
    const content = someText(1024 + Math.floor(Math.random() * 63 * 1024));
    const form = new FormData();
    form.append('file', new Blob([content], { type: 'text/plain' }), `load-${this.c.index}.txt`);
    const res = await call(this.c.base, 'POST', '/api/v1/storage/upload', { token: this.c.token, body: form });
    const id = res.json()?.file?.id;
    if (!this.expect('upload', res, 201, () => typeof id === 'string')) return;
    this.c.ledger.uploads.push({ userId: this.c.userId, token: this.c.token, sha256: sha256(content), size: content.length, fileId: id });
    if (this.kept.length < 4) this.kept.push({ id, content });
    else this.kept[Math.floor(Math.random() * this.kept.length)] = { id, content };
  }

  /** Created, then sent in one PATCH; the file id is read from the session after the run. */
  private async tus(): Promise<void> {
    const content = someText(4096 + Math.floor(Math.random() * 124 * 1024));
    const created = await call(this.c.base, 'POST', '/api/v1/storage/tus', {
      token: this.c.token,
      headers: { ...TUS, 'Upload-Length': String(content.length), 'Upload-Metadata': `filename ${b64(`tus-${this.c.index}.txt`)},filetype ${b64('text/plain')}` },
    });
    const location = created.headers.get('location');
    if (!this.expect('tus_create', created, 201, () => !!location)) return;
    const patched = await call(this.c.base, 'PATCH', location!.replace(/^https?:\/\/[^/]+/, ''), {
      token: this.c.token, body: content,
      headers: { ...TUS, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' },
    });
    if (!this.expect('tus_patch', patched, 204, () => patched.headers.get('upload-offset') === String(content.length))) return;
    this.c.ledger.uploads.push({ userId: this.c.userId, token: this.c.token, sha256: sha256(content), size: content.length, tusSession: location!.split('/').pop()! });
  }

  /** Acquire, one query on the lease's connection, release. */
  private async lease(): Promise<void> {
    const acquired = await this.post('/api/v1/connections/acquire', { service_name: 'load-suite', database_type: 'postgresql', operation_type: 'read', ttl_seconds: 60 });
    const connectionId = acquired.json()?.connection_id;
    if (!this.expect('lease_acquire', acquired, 201, () => typeof connectionId === 'string')) return;
    const read = await this.post('/api/v1/data/query', { database: 'postgresql', query_type: 'select', table: 'projects', filters: { title: { like: `load-${this.c.index}-%` } }, fields: ['id'], pagination: { page: 1, limit: 5 }, connection_id: connectionId });
    this.expect('lease_query', read, 200, () => read.json()?.cache === 'bypass');
    const released = await this.post('/api/v1/connections/release', { connection_id: connectionId, service_name: 'load-suite' });
    this.expect('lease_release', released, 200);
  }

  private async download(): Promise<void> {
    const file = this.kept[Math.floor(Math.random() * this.kept.length)]!;
    const res = await call(this.c.base, 'GET', `/api/v1/storage/stream/${file.id}`, { token: this.c.token });
    this.expect('download', res, 200, () => res.bytes.equals(file.content));
  }

  private async range(): Promise<void> {
    const file = this.kept[Math.floor(Math.random() * this.kept.length)]!;
    const start = Math.floor(Math.random() * file.content.length);
    const end = Math.min(file.content.length - 1, start + Math.floor(Math.random() * 8192));
    const res = await call(this.c.base, 'GET', `/api/v1/storage/stream/${file.id}`, { token: this.c.token, headers: { Range: `bytes=${start}-${end}` } });
    this.expect('range', res, 206, () => res.bytes.equals(file.content.subarray(start, end + 1)) && res.headers.get('content-range') === `bytes ${start}-${end}/${file.content.length}`);
  }

  /** An image resize queued on this client's PNG (uploaded on its first transform); not waited for. */
  private async transform(): Promise<void> {
    if (!this.pngId) {
      const png = aPng(48, 32);
      const form = new FormData();
      form.append('file', new Blob([png], { type: 'image/png' }), `load-${this.c.index}.png`);
      const res = await call(this.c.base, 'POST', '/api/v1/storage/upload', { token: this.c.token, body: form });
      const id = res.json()?.file?.id;
      if (!this.expect('upload_png', res, 201, () => typeof id === 'string')) return;
      this.c.ledger.uploads.push({ userId: this.c.userId, token: this.c.token, sha256: sha256(png), size: png.length, fileId: id });
      this.pngId = id;
    }
    const width = 8 + Math.floor(Math.random() * 24);
    const res = await this.post('/api/v1/storage/transform', {
      source_file_id: this.pngId, transformation_type: 'image_resize',
      parameters: { width, height: width, maintain_aspect_ratio: true, format: 'jpeg', quality: 80 }, output_name: `load-${this.c.index}-${width}.jpg`,
    });
    const id = res.json()?.transformation?.id;
    if (this.expect('transform', res, 202, () => typeof id === 'string')) this.c.ledger.transforms.push(id);
  }
}

function pick(): Kind {
  let roll = Math.random() * WEIGHT;
  for (const [kind, weight] of MIX) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return MIX[0]![0];
}
