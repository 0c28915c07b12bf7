import { randomUUID } from 'node:crypto';
import { FakeDatabaseDumper } from '../../src/adapters/in-memory/fakes/fake-database-dumper';
import { databaseDumperContract } from '../contract/database-dumper.contract';

databaseDumperContract('FakeDatabaseDumper', async () => {
  const manifest = [{ fileId: randomUUID(), key: 'u/1', storageProvider: 'memory', sizeBytes: 1, sha256: 'a'.repeat(64) }];
  const dumper = new FakeDatabaseDumper({ chunks: Array.from({ length: 50 }, (_, i) => Buffer.alloc(1_000, i)), tables: 4, manifest });
  return {
    dumper,
    aBackupId: async () => randomUUID(),
    manifestOf: async (id) => dumper.recorded.get(id)?.length ?? 0,
    filesCount: async () => manifest.length,
  };
});
