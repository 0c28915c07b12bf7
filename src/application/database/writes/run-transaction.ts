import { randomBytes } from 'node:crypto';
import type { Caller } from '../../../domain/auth/caller';
import { outboxEntriesOf, type NewOutboxEntry } from '../../../domain/database/outbox-entry';
import { TransactionFailed, WriteRejected } from '../../../domain/database/transaction-errors';
import { buildTransactionSpec, type RawOperation, type TransactionSpec } from '../../../domain/database/transaction-spec';
import { DomainError } from '../../../domain/shared/domain-error';
import { DatabaseUnavailable, NotFound } from '../../../domain/shared/errors';
import type { AuditTrail } from '../../ports/audit-trail.port';
import type { CommitEffects, PostCommit, PostCommitResult } from '../../ports/commit-effects.port';
import type { DatabaseSession } from '../../ports/database-session.port';
import type { LeaseSessions } from '../../ports/lease-sessions.port';
import type { OutboxStore } from '../../ports/outbox-store.port';
import type { Row, RowWriter } from '../../ports/row-writer.port';
import type { SchemaCatalog } from '../../ports/schema-catalog.port';
import type { SessionSource } from '../../ports/session-source.port';
import { transactionAuditEntry, withKeyColumns } from './transaction-audit';

export interface RunTransactionInput {
  caller: Caller;
  operations: RawOperation[];
  connectionId?: string;
}

export type OperationResult =
  | { operation: number; status: 'success'; data: unknown }
  | { operation: number; status: 'pending' }
  | { operation: number; status: 'failed'; error: string };

export interface TransactionResult {
  transactionId: string;
  /** `pending_commit`: ran inside the lease's open interactive transaction, which commits it (or not). */
  status: 'committed' | 'pending_commit';
  results: OperationResult[];
  executionTimeMs: number;
}

export interface RunTransactionDeps {
  catalog: SchemaCatalog;
  sessions: SessionSource;
  /** Null until connection leases are wired: a connection_id then names no lease. */
  leases: LeaseSessions | null;
  writer: RowWriter;
  outbox: OutboxStore;
  postCommit: PostCommit;
  /** Records each committed transaction in the audit trail, in the transaction itself; absent: not audited. */
  audit?: AuditTrail;
}

/**
 * POST /data/transaction: validate every operation, then run the PostgreSQL writes and record the
 * Redis operations and the cache invalidation in the outbox, in one PostgreSQL transaction; after
 * the commit, apply those effects before answering (or leave them to the relay when Redis is down).
 */
export class RunTransaction {
  constructor(private readonly deps: RunTransactionDeps) {}

  async execute(input: RunTransactionInput): Promise<TransactionResult> {
    const started = performance.now();
    const spec = buildTransactionSpec(input.operations, await this.deps.catalog.snapshot(), input.caller);
    const transactionId = `tx_${randomBytes(12).toString('hex')}`;
    const redis = spec.steps.flatMap((s) => (s.kind === 'redis' ? [s] : []));
    const entries = outboxEntriesOf(redis, spec.tables);
    const effects: CommitEffects = { tables: spec.tables, outboxTransactionId: entries.length > 0 ? transactionId : null };
    const work: Work = { spec, transactionId, entries };

    let rows: Map<number, Row[]>;
    let deferred = false;
    if (input.connectionId !== undefined) {
      const leases = this.deps.leases;
      if (!leases) throw new NotFound('No such connection lease', { connection_id: input.connectionId });
      ({ rows, deferred } = await leases.use(input.connectionId, input.caller, async (leased) => {
        if (!leased.session.inTransaction) return { rows: await this.inOwnTransaction(leased.session, work), deferred: false };
        // Inside the caller's interactive transaction: its commit applies the effects (and writes the
        // audit entry, in the transaction), its rollback drops them.
        const written = await this.deps.writer
          .withinSavepoint(leased.session, () => this.runSteps(leased.session, work, false))
          .catch((error: unknown) => {
            throw error instanceof TransactionFailed ? error : failure(error, transactionId, null);
          });
        const audit = this.deps.audit ? [transactionAuditEntry(transactionId, spec, written.audited)] : [];
        if (entries.length > 0 || spec.tables.length > 0 || audit.length > 0) leased.deferEffects(audit.length > 0 ? { ...effects, audit } : effects);
        return { rows: written.rows, deferred: true };
      }));
    } else {
      const session = await this.deps.sessions.openSession();
      try {
        rows = await this.inOwnTransaction(session, work);
      } finally {
        await session.release();
      }
    }

    // The data is committed whatever happens next: an error here would invite a retry that writes it twice.
    const applied: PostCommitResult = deferred ? { redisApplied: false } : await this.deps.postCommit.apply(effects).catch(() => ({ redisApplied: false }));
    return {
      transactionId,
      status: deferred ? 'pending_commit' : 'committed',
      results: resultsOf(spec, rows, applied),
      executionTimeMs: Math.round(performance.now() - started),
    };
  }

  private async inOwnTransaction(session: DatabaseSession, work: Work): Promise<Map<number, Row[]>> {
    await session.begin();
    let rows: Map<number, Row[]>;
    try {
      rows = (await this.runSteps(session, work, true)).rows;
    } catch (error) {
      await session.rollback().catch(() => undefined);
      throw error;
    }
    try {
      await session.commit();
    } catch (error) {
      // A connection lost during COMMIT leaves the outcome unknown: say so rather than guess.
      throw failure(error, work.transactionId, null, error instanceof DatabaseUnavailable ? 'unknown' : 'rolled_back');
    }
    return rows;
  }

  /** The rows as the caller gets them, and as the audit entry names them (key columns included). */
  private async runSteps(session: DatabaseSession, work: Work, auditNow: boolean): Promise<{ rows: Map<number, Row[]>; audited: Map<number, Row[]> }> {
    const rows = new Map<number, Row[]>();
    const audited = new Map<number, Row[]>();
    for (const step of work.spec.steps) {
      if (step.kind !== 'row') continue;
      try {
        // The audit entry names the rows by key: the key columns are returned even when not asked for, then dropped.
        const keyed = this.deps.audit ? withKeyColumns(step.write) : null;
        const written = await this.deps.writer.write(session, keyed?.write ?? step.write);
        audited.set(step.write.operation, written);
        rows.set(step.write.operation, keyed ? written.map(keyed.strip) : written);
      } catch (error) {
        throw failure(error, work.transactionId, step.write.operation);
      }
    }
    if (work.entries.length > 0) {
      try {
        // In its own transaction (not a lease's savepoint) the insert goes with the COMMIT: one round
        // trip less. The read of what to apply is NOT sent with it: read before COMMIT, it
        // misses an older entry on the same key committed between that read and this COMMIT, and this
        // transaction's effect could then land before that older one. Read after COMMIT, it sees every
        // transaction committed before this one, which is what keeps effects in commit order.
        await this.deps.outbox.record(session, work.transactionId, work.entries, auditNow ? { withCommit: true } : {});
      } catch (error) {
        throw failure(error, work.transactionId, null);
      }
    }
    if (this.deps.audit && auditNow) {
      // Last before COMMIT: the append holds the chain lock until the transaction ends.
      try {
        await this.deps.audit.record([transactionAuditEntry(work.transactionId, work.spec, audited)], session);
      } catch (error) {
        throw failure(error, work.transactionId, null);
      }
    }
    return { rows, audited };
  }
}

interface Work {
  spec: TransactionSpec;
  transactionId: string;
  entries: NewOutboxEntry[];
}

/** Known failures keep their code (and status) and gain the transaction's outcome; bugs stay 500s. */
function failure(error: unknown, transactionId: string, operation: number | null, status: 'rolled_back' | 'unknown' = 'rolled_back'): unknown {
  if (!(error instanceof DomainError)) return error;
  const reason = error instanceof WriteRejected ? error.reason : error.message;
  const where = operation === null ? 'The transaction' : `Operation ${operation}`;
  const outcome = status === 'rolled_back' ? 'everything was rolled back' : 'whether it committed is unknown';
  return new TransactionFailed(error.code, `${where} failed: ${reason}; ${outcome}`, {
    ...error.details,
    transaction_id: transactionId,
    status,
    failed_operation: operation,
    reason,
  });
}

/** Inserts and upserts answer their row; updates and deletes every row they touched. */
function resultsOf(spec: TransactionSpec, rows: Map<number, Row[]>, applied: PostCommitResult): OperationResult[] {
  const rejected = new Map((applied.rejected ?? []).map((r) => [r.operation, r.reason]));
  return spec.steps.map((step): OperationResult => {
    if (step.kind === 'row') {
      const affected = rows.get(step.write.operation) ?? [];
      const single = step.write.kind === 'insert' || step.write.kind === 'upsert';
      return { operation: step.write.operation, status: 'success', data: single ? (affected[0] ?? null) : affected };
    }
    const reason = rejected.get(step.operation);
    if (reason !== undefined) return { operation: step.operation, status: 'failed', error: reason };
    return applied.redisApplied ? { operation: step.operation, status: 'success', data: { applied: true } } : { operation: step.operation, status: 'pending' };
  });
}
