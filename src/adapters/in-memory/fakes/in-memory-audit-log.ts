import type { AuditFilter, AuditLog, AuditPage, AuditPageRequest } from '../../../application/ports/audit-log.port';
import type { AuditTrail } from '../../../application/ports/audit-trail.port';
import type { Clock } from '../../../application/ports/clock.port';
import type { RequestOrigin } from '../../../application/ports/request-origin.port';
import { ChainWalk, GENESIS_HASH, linkAfter, sealEntry, SYSTEM_ACTOR, type AuditEntry, type ChainVerdict, type NewAuditEntry, type SealedAuditEntry } from '../../../domain/audit/audit-entry';

const SYSTEM_ORIGIN: RequestOrigin = { current: () => ({ actor: SYSTEM_ACTOR, requestId: null, clientIp: null, userAgent: null }) };

/**
 * The trail in memory, chained exactly as the PostgreSQL adapter chains it (by `chain()`, after the
 * fact). Sessions are not modelled: entries are appended at once (unit tests check what was
 * recorded, the PostgreSQL tests what rolls back).
 */
export class InMemoryAuditLog implements AuditTrail, AuditLog {
  readonly entries: AuditEntry[] = [];
  private anchor = { seq: '0', hash: GENESIS_HASH };
  private nextId = 1n;

  constructor(
    private readonly origin: RequestOrigin = SYSTEM_ORIGIN,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  async record(entries: readonly NewAuditEntry[]): Promise<void> {
    const origin = this.origin.current();
    const now = this.clock.now();
    for (const entry of entries) this.append(sealEntry(entry, origin, now));
  }

  async list(filter: AuditFilter, page: AuditPageRequest): Promise<AuditPage> {
    const matching = [...this.entries].reverse().filter((e) => matches(e, filter));
    const before = page.beforeId;
    const pool = before !== undefined ? matching.filter((e) => BigInt(e.id) < BigInt(before)) : matching;
    const offset = before === undefined && page.page !== undefined ? (page.page - 1) * page.limit : 0;
    const entries = pool.slice(offset, offset + page.limit);
    const more = pool.length > offset + page.limit;
    return { entries, total: before === undefined ? matching.length : null, nextBeforeId: more ? (entries[entries.length - 1]?.id ?? null) : null };
  }

  async chain(): Promise<number | null> {
    const unchained = this.entries.filter((e) => e.chainSeq === null);
    const chained = this.entries.filter((e) => e.chainSeq !== null);
    const last = chained[chained.length - 1];
    const head = last ? { seq: last.chainSeq!, hash: last.hash! } : this.anchor;
    for (const linked of linkAfter(head, unchained)) Object.assign(this.entries.find((e) => e.id === linked.id)!, linked);
    return unchained.length;
  }

  async verify(): Promise<ChainVerdict> {
    await this.chain();
    const walk = new ChainWalk(this.anchor.seq, this.anchor.hash);
    const ordered = this.entries.filter((e) => e.chainSeq !== null).sort((a, b) => (BigInt(a.chainSeq!) < BigInt(b.chainSeq!) ? -1 : 1));
    for (const entry of ordered) if (!walk.next(entry)) break;
    return walk.verdict(this.entries.filter((e) => e.chainSeq === null).length);
  }

  async purgeBefore(before: Date, entry: (purged: number, anchorSeq: string) => NewAuditEntry): Promise<number> {
    await this.chain();
    const keptFrom = this.entries.findIndex((e) => e.occurredAt >= before);
    const count = keptFrom === -1 ? this.entries.length : keptFrom;
    const last = this.entries[count - 1];
    if (!last) return 0;
    this.anchor = { seq: last.chainSeq!, hash: last.hash! };
    this.entries.splice(0, count);
    this.append(sealEntry(entry(count, last.chainSeq!), SYSTEM_ORIGIN.current(), this.clock.now()));
    return count;
  }

  private append(sealed: SealedAuditEntry): void {
    const id = String(this.nextId++);
    this.entries.push({ ...sealed, id, chainSeq: null, prevHash: null, hash: null });
  }
}

function matches(entry: AuditEntry, filter: AuditFilter): boolean {
  return (
    (filter.actor === undefined || entry.actor.sub === filter.actor) &&
    (filter.action === undefined || entry.action === filter.action) &&
    (filter.targetId === undefined || entry.targetId === filter.targetId) &&
    (filter.outcome === undefined || entry.outcome === filter.outcome) &&
    (filter.from === undefined || entry.occurredAt >= filter.from) &&
    (filter.to === undefined || entry.occurredAt <= filter.to)
  );
}
