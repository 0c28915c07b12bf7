import type { Clock } from '../../application/ports/clock.port';
import type { EncryptedColumnStore } from '../../application/ports/encrypted-column-store.port';
import type { Logger } from '../../application/ports/logger.port';
import type { RowWriter } from '../../application/ports/row-writer.port';
import type { SchemaCatalog } from '../../application/ports/schema-catalog.port';
import type { TableReader } from '../../application/ports/table-reader.port';
import { ColumnCodec } from '../../application/database/column-encryption/column-codec';
import { ColumnEncryptionJob } from '../../application/database/column-encryption/column-encryption-job';
import { EncryptedColumnsCatalog } from '../../application/database/column-encryption/encrypted-columns-catalog';
import { EncryptingRowWriter } from '../../application/database/column-encryption/encrypting-row-writer';
import { EncryptingTableReader } from '../../application/database/column-encryption/encrypting-table-reader';
import { GetColumnEncryptionStatus } from '../../application/database/column-encryption/get-column-encryption-status';
import { ColumnCipher } from '../../domain/crypto/column-cipher';
import { columnEncryptionRoutes } from '../../adapters/http/routes/column-encryption.routes';
import type { PgAuditLog } from '../../adapters/postgres/pg-audit-log';
import { PgEncryptedColumnStore } from '../../adapters/postgres/pg-encrypted-column-store';
import type { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import type { Capability } from '../background-task';
import type { Bind } from '../binder';
import type { ColumnEncryptionConfig } from '../column-encryption-config';
import type { Config } from '../config';
import { periodicTask } from '../periodic-task';
import { TOKENS } from '../tokens';

/**
 * How often this instance looks for values to (re-)encrypt besides at start (a key change needs a
 * restart, so that pass does the rotation); a pass that finds none costs one scan per table.
 */
const PASS_INTERVAL_MS = 3_600_000;

/** The cipher and codec when DB_ENCRYPTION_KEY is set; nulls otherwise (nothing is encrypted). */
export interface ColumnEncryption {
  cipher: ColumnCipher | null;
  codec: ColumnCodec | null;
}

export function columnEncryptionOf(config: ColumnEncryptionConfig): ColumnEncryption {
  if (!config.keyring) return { cipher: null, codec: null };
  const cipher = new ColumnCipher(config.keyring, config.blindIndexKeyId);
  return { cipher, codec: new ColumnCodec(cipher) };
}

/** The catalog the gateway reads: blind index columns hidden; with a key, encrypted columns marked. */
export function catalogWithEncryption(catalog: SchemaCatalog, config: ColumnEncryptionConfig): SchemaCatalog {
  return new EncryptedColumnsCatalog(catalog, config.columns, config.keyring !== null);
}

export function readerWithEncryption(reader: TableReader, encryption: ColumnEncryption): TableReader {
  return encryption.codec ? new EncryptingTableReader(reader, encryption.codec) : reader;
}

export function writerWithEncryption(writer: RowWriter, encryption: ColumnEncryption): RowWriter {
  return encryption.codec ? new EncryptingRowWriter(writer, encryption.codec) : writer;
}

/** Encrypted columns: the codec, the background pass (at start and every hour), the admin routes. */
export function bindColumnEncryption(bind: Bind): void {
  bind(TOKENS.ColumnEncryption, (config: Config): ColumnEncryption => columnEncryptionOf(config.columnEncryption), [TOKENS.Config]);
  // Each batch of the background pass commits with its audit entry (issue 11: key rotations).
  bind(
    TOKENS.EncryptedColumnStore,
    (db: PgSqlDatabase, config: Config, audit: PgAuditLog): EncryptedColumnStore => new PgEncryptedColumnStore(db, config.audit.enabled ? audit : null),
    [TOKENS.PgSqlDatabase, TOKENS.Config, TOKENS.AuditLog],
  );
  bind(
    TOKENS.ColumnEncryptionModule,
    (config: Config, encryption: ColumnEncryption, catalog: SchemaCatalog, store: EncryptedColumnStore, clock: Clock, logger: Logger): Capability => {
      const cipher = encryption.cipher;
      const columns = config.columnEncryption.columns.names;
      if (!cipher) {
        if (config.env === 'production') logger.warn({ columns }, 'DB_ENCRYPTION_KEY is not set: the encrypted columns are stored in clear');
        return { mountRoutes: (routes) => columnEncryptionRoutes(routes, null), tasks: [] };
      }
      logger.info({ columns, keys: cipher.toJSON() }, 'encrypted columns on');
      if (config.columnEncryption.legacyKey) logger.warn({}, 'DB_ENCRYPTION_KEY is a legacy passphrase (a key is derived from it): prefer a keyring (README "Encrypted columns")');
      const job = new ColumnEncryptionJob(catalog, store, cipher, clock, logger);
      const getStatus = new GetColumnEncryptionStatus(job, store, cipher);
      return {
        mountRoutes: (routes) => columnEncryptionRoutes(routes, { getStatus, job }),
        tasks: [periodicTask('encrypted columns pass', PASS_INTERVAL_MS, () => job.run(), logger, { runAtStart: true, exclusive: true })],
      };
    },
    [TOKENS.Config, TOKENS.ColumnEncryption, TOKENS.SchemaCatalog, TOKENS.EncryptedColumnStore, TOKENS.Clock, TOKENS.Logger],
  );
}
