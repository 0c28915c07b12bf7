import { DomainError } from '../shared/domain-error';

export type LeaseOperation = 'read' | 'write';
export type LeaseDatabase = 'postgresql';

/**
 * A dedicated connection reserved for one caller. Its client lives in the process that acquired
 * it, so the id names that instance: `conn_<instance>_<random>`; other instances forward its requests there.
 */
export interface Lease {
  readonly id: string;
  readonly instanceId: string;
  readonly ownerId: string;
  readonly serviceName: string;
  readonly databaseType: LeaseDatabase;
  readonly operationType: LeaseOperation;
  readonly acquiredAt: Date;
  readonly expiresAt: Date;
  readonly lastUsedAt: Date;
}

export interface LeaseTerms {
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  idleTimeoutSeconds: number;
}

/** Instance ids are kept free of `_` so that the id splits unambiguously. */
export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9-]{1,32}$/;
const LEASE_ID_PATTERN = /^conn_([A-Za-z0-9-]{1,32})_([0-9a-f]{24})$/;

export function leaseId(instanceId: string, randomHex: string): string {
  const id = `conn_${instanceId}_${randomHex}`;
  if (!LEASE_ID_PATTERN.test(id)) throw new Error(`Malformed lease id parts (${instanceId}, ${randomHex.length} hex chars)`);
  return id;
}

/** The instance a lease id names, or null when the text is not a lease id at all. */
export function instanceOf(id: string): string | null {
  return LEASE_ID_PATTERN.exec(id)?.[1] ?? null;
}

/** A requested TTL is capped rather than refused: the answer's expires_at says what was granted. */
export function grantedTtlSeconds(requested: number | undefined, terms: LeaseTerms): number {
  return Math.min(requested ?? terms.defaultTtlSeconds, terms.maxTtlSeconds);
}

export function newLease(input: Omit<Lease, 'expiresAt' | 'lastUsedAt'> & { ttlSeconds: number }): Lease {
  const { ttlSeconds, ...rest } = input;
  return { ...rest, expiresAt: new Date(input.acquiredAt.getTime() + ttlSeconds * 1000), lastUsedAt: input.acquiredAt };
}

export function touched(lease: Lease, now: Date): Lease {
  return { ...lease, lastUsedAt: now };
}

export type ReapReason = 'expired' | 'idle';

/**
 * Why a lease is over at `now`, or null while it is usable. A lease with work in flight is never
 * idle, however long the statement runs; expiry is absolute.
 */
export function reapReason(lease: Lease, now: Date, idleTimeoutSeconds: number, busy = false): ReapReason | null {
  if (now.getTime() >= lease.expiresAt.getTime()) return 'expired';
  if (!busy && now.getTime() - lease.lastUsedAt.getTime() >= idleTimeoutSeconds * 1000) return 'idle';
  return null;
}

/**
 * Unknown, expired, reaped, or someone else's: one answer for all, so a lease id reveals nothing
 * about leases the caller does not hold.
 */
export class LeaseNotFound extends DomainError {
  readonly code = 'LEASE_NOT_FOUND';
  constructor(connectionId: string) {
    super('No such connection lease (unknown, expired, released, or not yours)', { connection_id: connectionId });
  }
}

/**
 * The instance that held the lease is gone (stopped, killed, unreachable): the lease went with it,
 * and a transaction open on it was rolled back when its PostgreSQL connection closed. Distinct from
 * LeaseNotFound: the caller knows to acquire a new lease and redo the transaction's work.
 * `inFlight`: the holder went away while handling this very request, whose outcome is then unknown
 * (a commit may have gone through), and so is the transaction's.
 */
export class LeaseLost extends DomainError {
  readonly code = 'LEASE_LOST';
  constructor(connectionId: string, inFlight = false) {
    super(
      inFlight
        ? 'The service instance holding this connection lease went away while handling the request; the lease is lost and whether this request took effect is unknown'
        : 'The service instance holding this connection lease is gone; the lease is lost and any transaction open on it was rolled back',
      inFlight ? { connection_id: connectionId, transaction: 'unknown', request_outcome: 'unknown' } : { connection_id: connectionId, transaction: 'rolled_back' },
    );
  }
}

/** One caller may not hold the whole pool. */
export class LeaseLimitExceeded extends DomainError {
  readonly code = 'LEASE_LIMIT_EXCEEDED';
  constructor(maxPerCaller: number) {
    super(`You already hold ${maxPerCaller} connection leases, the most one caller may hold; release one first`, {
      max_leases_per_caller: maxPerCaller,
    });
  }
}

export class TransactionAlreadyActive extends DomainError {
  readonly code = 'TRANSACTION_ALREADY_ACTIVE';
  constructor(connectionId: string) {
    super('A transaction is already open on this connection; commit or roll it back first', { connection_id: connectionId });
  }
}

export class NoActiveTransaction extends DomainError {
  readonly code = 'NO_ACTIVE_TRANSACTION';
  constructor(connectionId: string) {
    super('No transaction is open on this connection; begin one first', { connection_id: connectionId });
  }
}
