import type { Readable } from 'node:stream';
import type { DatabaseRestorer } from '../../../application/ports/database-restorer.port';

/** What the fake's "archives" hold: each table's rows by id, as JSON. */
export interface FakeArchive {
  tables: Record<string, string[]>;
}

/** A server of named in-memory databases; an archive is a FakeArchive's JSON (anything else is refused). */
export class InMemoryDatabaseRestorer implements DatabaseRestorer {
  private readonly databases = new Map<string, Record<string, string[]> | null>();

  async databaseExists(name: string): Promise<boolean> {
    return this.databases.has(name);
  }

  async createDatabase(name: string): Promise<void> {
    if (this.databases.has(name)) throw new Error(`database "${name}" already exists`);
    this.databases.set(name, null);
  }

  async restoreInto(name: string, archive: Readable): Promise<void> {
    if (!this.databases.has(name)) throw new Error(`database "${name}" does not exist`);
    this.databases.set(name, structuredClone((await read(archive)).tables));
  }

  /** As --clean --single-transaction: the archive's tables replaced, others kept; nothing changes on failure. */
  async restoreOver(name: string, archive: Readable, _lockTimeoutMs: number): Promise<void> {
    if (!this.databases.has(name)) throw new Error(`database "${name}" does not exist`);
    const parsed = await read(archive);
    this.databases.set(name, { ...(this.databases.get(name) ?? {}), ...structuredClone(parsed.tables) });
  }

  async rowCounts(name: string): Promise<Record<string, number>> {
    return Object.fromEntries(Object.entries(this.databases.get(name) ?? {}).map(([table, rows]) => [table, rows.length]));
  }

  async existingFileIds(name: string, fileIds: string[]): Promise<Set<string>> {
    const files = new Set(this.databases.get(name)?.files ?? []);
    return new Set(fileIds.filter((id) => files.has(id)));
  }

  drop(name: string): void {
    this.databases.delete(name);
  }
}

async function read(archive: Readable): Promise<FakeArchive> {
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(Buffer.from(chunk as Buffer));
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as FakeArchive;
  } catch {
    throw new Error('pg_restore exited with code 1: input file does not appear to be a valid archive');
  }
}
