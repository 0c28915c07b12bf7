import { Readable } from 'node:stream';
import type { BackupManifestEntry } from '../../../domain/database/backup';
import type { DatabaseDumper, DatabaseSnapshot, DumpToolStatus, RunningDump } from '../../../application/ports/database-dumper.port';

export interface FakeDumpScript {
  /** The archive's bytes, in these pieces. */
  chunks: Buffer[];
  tables: number;
  /** Dies (as a killed pg_dump) after this many pieces. */
  dieAfter?: number;
  toolsMissing?: boolean;
  manifest?: BackupManifestEntry[];
}

/**
 * A pg_dump stand-in for use-case tests: a scripted archive, one table event per piece (up to
 * `tables`), and a death on demand. The manifest lands in `recorded` only when the snapshot is kept.
 */
export class FakeDatabaseDumper implements DatabaseDumper {
  readonly recorded = new Map<string, BackupManifestEntry[]>();

  constructor(readonly script: FakeDumpScript) {}

  async tools(): Promise<DumpToolStatus> {
    if (this.script.toolsMissing) return { available: false, reason: 'pg_dump not found on PATH', package: 'postgresql-client-15', serverMajorVersion: 15, foundVersion: null };
    return { available: true, version: 'pg_dump (PostgreSQL) 15.0 (fake)', serverMajorVersion: 15 };
  }

  async openSnapshot(): Promise<DatabaseSnapshot> {
    if (this.script.toolsMissing) throw new Error('pg_dump not found on PATH');
    const script = this.script;
    const recorded = this.recorded;
    let pending: { id: string; entries: BackupManifestEntry[] } | null = null;
    return {
      serverVersion: '15.0 (fake)',
      migrationVersion: '20240124_001',
      tablesTotal: script.tables,
      async recordManifest(backupId) {
        pending = { id: backupId, entries: script.manifest ?? [] };
        return pending.entries.length;
      },
      dump(onTableDumped): RunningDump {
        let aborted = false;
        let died = false;
        const pieces = script.dieAfter === undefined ? script.chunks : script.chunks.slice(0, script.dieAfter);
        async function* produce() {
          for (let i = 0; i < pieces.length; i++) {
            if (aborted) return;
            if (i < script.tables) onTableDumped();
            yield pieces[i]!;
            await new Promise((resolve) => setImmediate(resolve));
          }
          died = script.dieAfter !== undefined;
        }
        const archive = Readable.from(produce(), { objectMode: false });
        const finished = new Promise<void>((resolve, reject) => {
          archive.once('close', () => (aborted ? reject(new Error('pg_dump was killed by SIGTERM')) : died ? reject(new Error('pg_dump was killed by SIGKILL')) : resolve()));
        });
        return {
          archive,
          finished,
          abort: () => {
            aborted = true;
            archive.destroy();
          },
        };
      },
      async close({ keep }) {
        if (keep && pending) recorded.set(pending.id, pending.entries);
      },
    };
  }
}
