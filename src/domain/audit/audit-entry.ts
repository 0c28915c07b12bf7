import { createHash } from 'node:crypto';

/** Who acted: the token's subject and role, and the service it named (lease acquire/release), when any. */
export interface AuditActor {
  sub: string | null;
  role: string | null;
  serviceName: string | null;
}

/** Where the request came from; null fields when the action ran outside a request (background jobs). */
export interface AuditOrigin {
  actor: AuditActor;
  requestId: string | null;
  clientIp: string | null;
  userAgent: string | null;
}

/** `success`, or the error code the action failed with (`FORBIDDEN`, `UNAUTHORIZED`, `NOT_FOUND`...). */
export type AuditOutcome = string;

/** JSON details: identifiers, counts, kinds. Never column values, secrets or tokens. */
export type AuditDetails = Record<string, unknown>;

/** What a use case records; the origin is filled in from the request being served unless given. */
export interface NewAuditEntry {
  action: string;
  targetType: string;
  targetId: string | null;
  outcome: AuditOutcome;
  details?: AuditDetails;
  /** Overrides parts of the request's actor (a lease's service name; `system` for background jobs). */
  actor?: Partial<AuditActor>;
}

/** An entry ready to chain: everything its hash covers except its id and the previous hash. */
export interface SealedAuditEntry {
  occurredAt: Date;
  actor: AuditActor;
  action: string;
  targetType: string;
  targetId: string | null;
  requestId: string | null;
  clientIp: string | null;
  userAgent: string | null;
  outcome: AuditOutcome;
  details: AuditDetails;
}

/** A stored entry: its id, and its place in the chain with the hashes linking it (null until chained). */
export interface AuditEntry extends SealedAuditEntry {
  id: string;
  chainSeq: string | null;
  prevHash: string | null;
  hash: string | null;
}

/** A stored entry once the chainer has linked it. */
export type ChainedAuditEntry = AuditEntry & { chainSeq: string; prevHash: string; hash: string };

/** The previous hash of the very first entry (and of the chain after a purge of nothing). */
export const GENESIS_HASH = '0'.repeat(64);

export const SYSTEM_ACTOR: AuditActor = { sub: 'system', role: 'system', serviceName: null };

/** Fills an entry from the request's origin (explicit actor fields win) at `now`. */
export function sealEntry(entry: NewAuditEntry, origin: AuditOrigin, now: Date): SealedAuditEntry {
  return {
    occurredAt: now,
    actor: {
      sub: entry.actor?.sub !== undefined ? entry.actor.sub : origin.actor.sub,
      role: entry.actor?.role !== undefined ? entry.actor.role : origin.actor.role,
      serviceName: entry.actor?.serviceName !== undefined ? entry.actor.serviceName : origin.actor.serviceName,
    },
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    requestId: origin.requestId,
    clientIp: origin.clientIp,
    userAgent: origin.userAgent,
    outcome: entry.outcome,
    details: plainJson(entry.details ?? {}) as AuditDetails,
  };
}

/**
 * The canonical form the hash covers: a JSON array in fixed field order, object keys sorted at every
 * depth, the time as ISO-8601 UTC with milliseconds. Anyone can recompute it from the stored columns.
 */
export function canonicalForm(entry: SealedAuditEntry): string {
  return JSON.stringify([
    entry.occurredAt.toISOString(),
    entry.actor.sub,
    entry.actor.role,
    entry.actor.serviceName,
    entry.action,
    entry.targetType,
    entry.targetId,
    entry.requestId,
    entry.clientIp,
    entry.userAgent,
    entry.outcome,
    sortedKeys(entry.details),
  ]);
}

/** hex(sha256(prev_hash || chain_seq || '|' || id || '|' || canonical form)): one link of the chain. */
export function chainHash(prevHash: string, chainSeq: string, id: string, entry: SealedAuditEntry): string {
  return createHash('sha256').update(`${prevHash}${chainSeq}|${id}|${canonicalForm(entry)}`, 'utf8').digest('hex');
}

/** Links `entries` (in id order) after the head: the chainer's work, the same in every adapter. */
export function linkAfter(head: { seq: string; hash: string }, entries: readonly AuditEntry[]): ChainedAuditEntry[] {
  let seq = BigInt(head.seq);
  let prev = head.hash;
  return entries.map((entry) => {
    seq += 1n;
    const chainSeq = String(seq);
    const hash = chainHash(prev, chainSeq, entry.id, entry);
    const linked = { ...entry, chainSeq, prevHash: prev, hash };
    prev = hash;
    return linked;
  });
}

/**
 * What a stored chain says about itself: ok with the number of entries walked, or the first broken
 * link; `unchained` entries are committed but not linked yet (the chainer runs every second).
 */
export type ChainVerdict =
  | { ok: true; checked: number; anchorSeq: string; anchorHash: string; headId: string | null; unchained: number }
  | { ok: false; checked: number; anchorSeq: string; anchorHash: string; brokenAt: string; reason: 'hash_mismatch' | 'link_mismatch'; unchained: number };

/** Walks chained entries in chain_seq order from the anchor; call `next` for each, `verdict` at the end. */
export class ChainWalk {
  private expectedPrev: string;
  private expectedSeq: bigint;
  private checked = 0;
  private lastId: string | null = null;
  private broken: { id: string; reason: 'hash_mismatch' | 'link_mismatch' } | null = null;

  constructor(
    private readonly anchorSeq: string,
    private readonly anchorHash: string,
  ) {
    this.expectedPrev = anchorHash;
    this.expectedSeq = BigInt(anchorSeq) + 1n;
  }

  /** False once a link is broken: the walk can stop. */
  next(entry: AuditEntry): boolean {
    if (this.broken) return false;
    const { chainSeq, prevHash, hash } = entry;
    if (chainSeq === null || prevHash === null || hash === null) return true; // not linked yet: not part of the chain
    if (prevHash !== this.expectedPrev || BigInt(chainSeq) !== this.expectedSeq) this.broken = { id: entry.id, reason: 'link_mismatch' };
    else if (chainHash(prevHash, chainSeq, entry.id, entry) !== hash) this.broken = { id: entry.id, reason: 'hash_mismatch' };
    if (this.broken) return false;
    this.checked += 1;
    this.expectedPrev = hash;
    this.expectedSeq += 1n;
    this.lastId = entry.id;
    return true;
  }

  verdict(unchained: number): ChainVerdict {
    const base = { checked: this.checked, anchorSeq: this.anchorSeq, anchorHash: this.anchorHash, unchained };
    if (this.broken) return { ok: false, ...base, brokenAt: this.broken.id, reason: this.broken.reason };
    return { ok: true, ...base, headId: this.lastId };
  }
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Drops undefined, functions and class instances' prototypes: what jsonb will store and give back. */
function plainJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? {}, (_k, v: unknown) => (typeof v === 'string' ? v.replace(/\u0000/g, '') : v))) as unknown;
}
