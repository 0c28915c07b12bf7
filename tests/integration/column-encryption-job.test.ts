import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { PgEncryptedColumnStore } from '../../src/adapters/postgres/pg-encrypted-column-store';
import { PgSchemaCatalog } from '../../src/adapters/postgres/pg-schema-catalog';
import { ColumnEncryptionJob } from '../../src/application/database/column-encryption/column-encryption-job';
import { EncryptedColumnsCatalog } from '../../src/application/database/column-encryption/encrypted-columns-catalog';
import type { ColumnRewrite, EncryptedColumnSet, EncryptedColumnStore } from '../../src/application/ports/encrypted-column-store.port';
import { ColumnCipher } from '../../src/domain/crypto/column-cipher';
import { Keyring } from '../../src/domain/crypto/keyring';
import { EncryptedColumnsPolicy } from '../../src/domain/database/encrypted-columns';
import { FakeClock } from '../support/fake-clock';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';
import { RecordingLogger } from '../support/recording-logger';

const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');

/** A store whose rewrites fail once `allowed` batches have been written, as a restart in the middle of a pass would. */
class InterruptibleStore implements EncryptedColumnStore {
  allowed = Number.POSITIVE_INFINITY;
  constructor(private readonly inner: EncryptedColumnStore) {}
  nextStale: EncryptedColumnStore['nextStale'] = (...args) => this.inner.nextStale(...args);
  countStale: EncryptedColumnStore['countStale'] = (...args) => this.inner.countStale(...args);
  usage: EncryptedColumnStore['usage'] = (...args) => this.inner.usage(...args);
  async rewrite(set: EncryptedColumnSet, rewrites: readonly ColumnRewrite[]): Promise<number> {
    if (this.allowed-- <= 0) throw new Error('connection lost');
    return this.inner.rewrite(set, rewrites);
  }
}

/** The background pass over real PostgreSQL: interrupted, then resumed; then a rotation. */
describe('ColumnEncryptionJob', () => {
  let scratch: MigratedScratchDatabase;
  let sql: Client;
  const emails: string[] = [];
  const policy = EncryptedColumnsPolicy.parse('users.email,users.first_name');
  const jobWith = (keyring: string, active: string, store: EncryptedColumnStore) => {
    const cipher = new ColumnCipher(Keyring.parse(keyring, active));
    const catalog = new EncryptedColumnsCatalog(new PgSchemaCatalog(scratch.db), policy, true);
    return { job: new ColumnEncryptionJob(catalog, store, cipher, new FakeClock(), new RecordingLogger(), 2), cipher };
  };
  const storedEmails = async () => (await sql.query('SELECT email FROM users ORDER BY id')).rows.map((r) => r.email as string);

  beforeAll(async () => {
    scratch = await migratedScratchDatabase();
    sql = new Client({ connectionString: scratch.url });
    await sql.connect();
    for (let i = 0; i < 5; i++) {
      const email = `u${i}-${randomUUID()}@example.com`;
      emails.push(email);
      await sql.query("INSERT INTO users (email, password_hash, first_name) VALUES ($1, 'x', $2)", [email, `Name${i}`]);
    }
  });
  afterAll(async () => {
    await sql.end();
    await scratch.close();
  });

  it('stops where an interruption finds it, and the next pass resumes from the rows themselves', async () => {
    const store = new InterruptibleStore(new PgEncryptedColumnStore(scratch.db));
    const { job } = jobWith(`k1:${K1}`, 'k1', store);
    const first = await job.run();
    expect(first).toMatchObject({ state: 'completed', total: 5, processed: 5, rewritten: 5 });

    // Rotation, cut after the first batch of two rows.
    const rotated = jobWith(`k1:${K1},k2:${K2}`, 'k2', store);
    store.allowed = 1;
    const cut = await rotated.job.run();
    expect(cut).toMatchObject({ state: 'failed', total: 5, processed: 2, rewritten: 2, error: 'connection lost' });
    const midway = await storedEmails();
    expect(midway.filter((e) => e.startsWith('vbenc1:k2:'))).toHaveLength(2);
    expect(midway.filter((e) => e.startsWith('vbenc1:k1:'))).toHaveLength(3);
    // Every value reads throughout: the keyring holds both keys.
    expect(midway.map((e) => rotated.cipher.decrypt('users.email', e)).sort()).toEqual([...emails].sort());

    store.allowed = Number.POSITIVE_INFINITY;
    const resumed = await rotated.job.run();
    expect(resumed).toMatchObject({ state: 'completed', total: 3, processed: 3, rewritten: 3, skipped: 0, error: null });
    expect((await storedEmails()).every((e) => e.startsWith('vbenc1:k2:'))).toBe(true);
    expect((await rotated.job.run())).toMatchObject({ state: 'completed', total: 0 });
  });

  it('leaves a row whose key is missing as it is, counted as skipped', async () => {
    await sql.query("UPDATE users SET email = $1 WHERE email = (SELECT email FROM users ORDER BY id LIMIT 1)", [
      new ColumnCipher(Keyring.parse(`k9:${randomBytes(32).toString('base64')}`)).encrypt('users.email', 'lost@example.com'),
    ]);
    const { job } = jobWith(`k2:${K2},k3:${K1}`, 'k3', new PgEncryptedColumnStore(scratch.db));
    const pass = await job.run();
    expect(pass).toMatchObject({ state: 'completed', total: 5, processed: 5, rewritten: 4, skipped: 1 });
    expect((await storedEmails()).filter((e) => e.startsWith('vbenc1:k9:'))).toHaveLength(1);
  });
});
