import type { Container } from 'inversify';
import type { ObjectStore, ObjectUrlSigner } from '../../application/ports/object-store.port';
import type { UploadStaging } from '../../application/ports/upload-staging.port';
import type { ObjectLister } from '../../application/ports/object-lister.port';
import type { StagingLeftovers } from '../../application/ports/staging-leftovers.port';
import type { DependencyProbe } from '../../application/ports/dependency-probe.port';
import type { FileRepository } from '../../application/ports/file-repository.port';
import type { Logger } from '../../application/ports/logger.port';
import { ReplicateToBackup } from '../../application/storage/backup-copies/replicate-to-backup';
import { InProcessBackgroundTasks } from '../../adapters/in-process/in-process-background-tasks';
import { ObjectStoreProbe, type CapacityReader } from '../../application/health/object-store-probe';
import { AzureBlobObjectStore } from '../../adapters/object-store/azure-blob-object-store';
import { LocalDiskObjectStore } from '../../adapters/object-store/local-disk-object-store';
import { S3ObjectStore } from '../../adapters/object-store/s3-object-store';
import type { Bind } from '../binder';
import type { Config } from '../config';
import type { Lifecycle } from '../lifecycle';
import type { StorageConfig, StorageProviderName } from '../storage-config';
import { TOKENS } from '../tokens';

/**
 * One provider's adapter in the roles it plays: every adapter stores objects and stages uploads; the
 * cloud ones also sign download URLs (the disk has none: the service signs its own with an HMAC).
 */
export interface StoreAdapter {
  /** Every provider also lists what it holds, for the orphan sweep. */
  readonly store: ObjectStore & UploadStaging & ObjectLister & StagingLeftovers;
  readonly signer: ObjectUrlSigner | null;
  /** Free space, where the provider has such a figure (a disk). */
  readonly capacity: CapacityReader | undefined;
  /** Creates the folders, container or bucket. */
  ensureReady(): Promise<void>;
}

function adapterFor(provider: StorageProviderName, storage: StorageConfig, role: 'primary' | 'backup', lifecycle: Lifecycle): StoreAdapter {
  switch (provider) {
    case 'local_disk': {
      const disk = new LocalDiskObjectStore(role === 'primary' ? storage.dir : storage.backupDir);
      return { store: disk, signer: null, capacity: () => disk.capacity(), ensureReady: () => disk.ensureReady() };
    }
    case 'azure_blob': {
      const azure = new AzureBlobObjectStore(storage.azure);
      return { store: azure, signer: azure, capacity: undefined, ensureReady: () => azure.ensureReady() };
    }
    case 'aws_s3': {
      const s3 = new S3ObjectStore(storage.s3);
      lifecycle.onClose(`s3 client (${role})`, async () => s3.close());
      return { store: s3, signer: s3, capacity: undefined, ensureReady: () => s3.ensureReady() };
    }
  }
}

/**
 * The primary store's adapter (bound once, exposed as ObjectStore, UploadStaging and ObjectUrlSigner),
 * the optional backup store (null when none is configured), the backup copies and the health probes.
 */
export function bindObjectStores(bind: Bind): void {
  bind(TOKENS.PrimaryObjectStore, (config: Config, lifecycle: Lifecycle) => adapterFor(config.storage.provider, config.storage, 'primary', lifecycle), [TOKENS.Config, TOKENS.Lifecycle]);
  bind(TOKENS.ObjectStore, (adapter: StoreAdapter): ObjectStore => adapter.store, [TOKENS.PrimaryObjectStore]);
  bind(TOKENS.UploadStaging, (adapter: StoreAdapter): UploadStaging => adapter.store, [TOKENS.PrimaryObjectStore]);
  bind(TOKENS.ObjectUrlSigner, (adapter: StoreAdapter) => adapter.signer, [TOKENS.PrimaryObjectStore]);

  bind(
    TOKENS.BackupStoreAdapter,
    (config: Config, lifecycle: Lifecycle): StoreAdapter | null =>
      config.storage.backupProvider ? adapterFor(config.storage.backupProvider, config.storage, 'backup', lifecycle) : null,
    [TOKENS.Config, TOKENS.Lifecycle],
  );
  bind(TOKENS.BackupObjectStore, (adapter: StoreAdapter | null): ObjectStore | null => adapter?.store ?? null, [TOKENS.BackupStoreAdapter]);

  bind(
    TOKENS.ReplicateToBackup,
    (store: ObjectStore, backup: ObjectStore | null, files: FileRepository, logger: Logger, lifecycle: Lifecycle) => {
      const tasks = new InProcessBackgroundTasks(logger);
      // Copies in flight finish before shutdown closes the stores and the database they report to.
      lifecycle.onClose('backup copies', () => tasks.drain());
      return new ReplicateToBackup(store, backup, files, tasks, logger);
    },
    [TOKENS.ObjectStore, TOKENS.BackupObjectStore, TOKENS.FileRepository, TOKENS.Logger, TOKENS.Lifecycle],
  );

  bind(
    TOKENS.StorageProbes,
    (primary: ObjectStore, backup: ObjectStore | null, primaryAdapter: StoreAdapter, backupAdapter: StoreAdapter | null, replicate: ReplicateToBackup): DependencyProbe[] => {
      const probes = [new ObjectStoreProbe(primary.provider, primary, 'primary', capacityOf(primary, primaryAdapter))];
      if (backup) {
        const name = backup.provider === primary.provider ? `${backup.provider}_backup` : backup.provider;
        probes.push(new ObjectStoreProbe(name, backup, 'backup', capacityOf(backup, backupAdapter), () => ({ backup_queue: replicate.pending })));
      }
      return probes;
    },
    [TOKENS.ObjectStore, TOKENS.BackupObjectStore, TOKENS.PrimaryObjectStore, TOKENS.BackupStoreAdapter, TOKENS.ReplicateToBackup],
  );
}

/** The configured adapter's free space; a store a test swapped in (an override) has no known figure. */
function capacityOf(store: ObjectStore, adapter: StoreAdapter | null): CapacityReader | undefined {
  return adapter?.store === store ? adapter.capacity : undefined;
}

/**
 * Creates the disk folders, Azure container or S3 bucket at start, for the configured stores in use
 * (a store a test swapped in is the test's to prepare). A provider that does not answer is not fatal:
 * the service starts degraded, /health says which, and the adapters retry on first write.
 */
export async function prepareObjectStores(container: Container, waitMs = 5_000): Promise<void> {
  const inUse: Array<[StoreAdapter | null, ObjectStore | null]> = [
    [container.get<StoreAdapter>(TOKENS.PrimaryObjectStore), container.get<ObjectStore>(TOKENS.ObjectStore)],
    [container.get<StoreAdapter | null>(TOKENS.BackupStoreAdapter), container.get<ObjectStore | null>(TOKENS.BackupObjectStore)],
  ];
  const logger = container.get<Logger>(TOKENS.Logger);
  for (const [adapter, store] of inUse) {
    if (!adapter || adapter.store !== store) continue;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), waitMs)));
    const done = adapter.ensureReady().then(() => true, () => false);
    const ok = await Promise.race([done, gaveUp]);
    clearTimeout(timer);
    if (!ok) logger.warn({ provider: adapter.store.provider }, 'Object store not reachable at start; starting degraded');
  }
}
