import { parseMigrationFile } from '../../src/adapters/file-system/migration-file';
import { InMemoryMigrationRunStore } from '../../src/adapters/in-memory/fakes/in-memory-migration-run-store';
import { InMemoryMigrationSource } from '../../src/adapters/in-memory/fakes/in-memory-migration-source';
import { InMemoryMigrationStore } from '../../src/adapters/in-memory/fakes/in-memory-migration-store';
import { migrationRunStoreContract } from '../contract/migration-run-store.contract';
import { migrationSourceContract } from '../contract/migration-source.contract';
import { migrationStoreContract } from '../contract/migration-store.contract';
import { aMigrationScript } from '../support/migration-builders';

migrationStoreContract('in-memory', async () => {
  const store = new InMemoryMigrationStore();
  return {
    store,
    script: (version) => aMigrationScript(version).build(),
    failingScript: (version) => {
      store.failOn(version, 'relation "no_such_table" does not exist');
      return aMigrationScript(version).build();
    },
    close: async () => undefined,
  };
});

migrationRunStoreContract('in-memory', async () => ({ store: new InMemoryMigrationRunStore(), close: async () => undefined }));

migrationSourceContract('in-memory', async (files) => ({
  source: new InMemoryMigrationSource(files.map((f) => parseMigrationFile(f.name, f.content))),
  close: async () => undefined,
}));
