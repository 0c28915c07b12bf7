import { CIPHERTEXT_PREFIX, ColumnKeyMissing, ColumnValueCorrupt, type ColumnCipher } from '../../../domain/crypto/column-cipher';
import type { Clock } from '../../ports/clock.port';
import type { ColumnRewrite, CurrentForm, EncryptedColumnSet, EncryptedColumnStore, StoredColumns } from '../../ports/encrypted-column-store.port';
import type { Logger } from '../../ports/logger.port';
import type { SchemaCatalog } from '../../ports/schema-catalog.port';

export interface ColumnJobProgress {
  state: 'idle' | 'running' | 'completed' | 'failed';
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Rows that needed work when the pass started. */
  total: number;
  /** Rows looked at so far in this pass. */
  processed: number;
  /** Rows rewritten (encrypted, re-encrypted under the active key, or re-indexed). */
  rewritten: number;
  /** Rows left as they were: changed by a write meanwhile (already current), or unreadable (key missing, corrupt). */
  skipped: number;
  error: string | null;
}

const BATCH_SIZE = 200;

/**
 * The background pass over every encrypted column: encrypts values stored before encryption was
 * turned on, re-encrypts values under a key other than the active one (rotation), and fills or
 * recomputes blind indexes. Its state is the data itself (a row is rewritten or not), so a pass
 * cut by a restart resumes where the rows say at the next one; a row a gateway write changed
 * meanwhile is left alone (the write stored it in the current form already).
 */
export class ColumnEncryptionJob {
  private progress: ColumnJobProgress = { state: 'idle', startedAt: null, finishedAt: null, total: 0, processed: 0, rewritten: 0, skipped: 0, error: null };
  private running: Promise<ColumnJobProgress> | null = null;

  constructor(
    private readonly catalog: SchemaCatalog,
    private readonly store: EncryptedColumnStore,
    private readonly cipher: ColumnCipher,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly batchSize = BATCH_SIZE,
  ) {}

  get current(): CurrentForm {
    return { ciphertextPrefix: `${CIPHERTEXT_PREFIX}${this.cipher.activeKeyId}:`, blindIndexPrefix: `${this.cipher.blindIndexKeyId}:` };
  }

  status(): ColumnJobProgress {
    return { ...this.progress };
  }

  /** The column sets of the current schema (tables keyed by one column only; others are logged and skipped). */
  async columnSets(): Promise<EncryptedColumnSet[]> {
    const sets: EncryptedColumnSet[] = [];
    for (const table of (await this.catalog.snapshot()).tables.values()) {
      if (!table.encrypted) continue;
      const keyColumn = table.primaryKey.length === 1 ? table.columns.get(table.primaryKey[0]!) : undefined;
      if (!keyColumn) {
        this.logger.warn({ table: table.name }, 'encrypted columns of a table without a single-column primary key are not (re-)encrypted in the background');
        continue;
      }
      const columns = [...table.encrypted].map(([column, spec]) => ({ table: table.name, column, blindIndex: spec.blindIndex }));
      sets.push({ table: table.name, key: { column: keyColumn.name, type: keyColumn.type }, columns });
    }
    return sets;
  }

  /** Starts a pass unless one is running; answers at once. */
  start(): ColumnJobProgress {
    void this.run().catch(() => undefined);
    return this.status();
  }

  /** One whole pass (or the one already running). */
  run(): Promise<ColumnJobProgress> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<ColumnJobProgress> {
    this.progress = { state: 'running', startedAt: this.clock.now(), finishedAt: null, total: 0, processed: 0, rewritten: 0, skipped: 0, error: null };
    try {
      const sets = await this.columnSets();
      const current = this.current;
      for (const set of sets) this.progress.total += await this.store.countStale(set, current);
      for (const set of sets) await this.walk(set, current);
      this.progress = { ...this.progress, state: 'completed', finishedAt: this.clock.now() };
      if (this.progress.rewritten > 0 || this.progress.skipped > 0) {
        const { total, rewritten, skipped } = this.progress;
        this.logger.info({ total, rewritten, skipped, active_key_id: this.cipher.activeKeyId }, 'encrypted columns brought to the active key');
      }
    } catch (error) {
      this.progress = { ...this.progress, state: 'failed', finishedAt: this.clock.now(), error: (error as Error)?.message ?? String(error) };
      this.logger.error({ err: { message: this.progress.error } }, 'encrypted columns pass failed; the next one resumes it');
    }
    return this.status();
  }

  private async walk(set: EncryptedColumnSet, current: CurrentForm): Promise<void> {
    let after: string | null = null;
    for (;;) {
      const rows = await this.store.nextStale(set, current, after, this.batchSize);
      if (rows.length === 0) return;
      const rewrites = rows.flatMap((row) => this.rewriteOf(set, row));
      // Key rotation and encryption of existing values, recorded with each batch it commits: row keys and key ids only.
      const applied = await this.store.rewrite(set, rewrites, (keys) => [
        {
          action: 'encryption.columns.rewrite',
          targetType: 'table',
          targetId: set.table,
          outcome: 'success',
          details: { columns: set.columns.map((c) => c.column), active_key_id: this.cipher.activeKeyId, blind_index_key_id: this.cipher.blindIndexKeyId, row_ids: keys },
        },
      ]);
      this.progress.processed += rows.length;
      this.progress.rewritten += applied;
      this.progress.skipped += rows.length - applied;
      after = rows[rows.length - 1]!.key;
    }
  }

  /** The row in the current form, or nothing when a value cannot be read (its key is gone, or it is corrupt). */
  private rewriteOf(set: EncryptedColumnSet, row: StoredColumns): ColumnRewrite[] {
    const next: Record<string, string | null> = {};
    try {
      for (const column of set.columns) {
        const scope = `${set.table}.${column.column}`;
        const stored = row.values[column.column] ?? null;
        const plaintext = stored === null ? null : this.cipher.decrypt(scope, stored);
        next[column.column] = stored === null || plaintext === null ? null : this.cipher.isCurrent(stored) ? stored : this.cipher.encrypt(scope, plaintext);
        if (column.blindIndex) next[column.blindIndex] = plaintext === null ? null : this.cipher.blindIndex(scope, plaintext);
      }
    } catch (error) {
      if (error instanceof ColumnKeyMissing || error instanceof ColumnValueCorrupt) {
        this.logger.warn({ table: set.table, key: row.key, reason: error.message }, 'an encrypted column value cannot be read; left as it is');
        return [];
      }
      throw error;
    }
    return [{ key: row.key, expected: row.values, next }];
  }
}
