import type { Container } from 'inversify';
import type { ChunkedUploads, ObjectStore, ObjectUrlSigner } from '../../application/ports/object-store.port';
import type { DependencyProbe } from '../../application/ports/dependency-probe.port';
import type { FileRepository } from '../../application/ports/file-repository.port';
import type { Logger } from '../../application/ports/logger.port';
import { ReplicateToBackup } from '../../application/storage/backup-copies/replicate-to-backup';
import { InProcessBackgroundTasks } from '../../adapters/in-process/in-process-background-tasks';
import { ObjectStoreProbe } from '../../application/health/object-store-probe';
import { AzureBlobObjectStore } from '../../adapters/object-store/azure-blob-object-store';
import { LocalDiskObjectStore } from '../../adapters/object-store/local-disk-object-store';
import { S3ObjectStore } from '../../adapters/object-store/s3-object-store';
import type { Config } from '../config';
import type { Bind, Get } from '../container';
import type { Lifecycle } from '../lifecycle';
import type { StorageConfig, StorageProviderName } from '../storage-config';
import { TOKENS } from '../tokens';

type AnyStore = LocalDiskObjectStore | AzureBlobObjectStore | S3ObjectStore;

function makeStore(provider: StorageProviderName, storage: StorageConfig, role: 'primary' | 'backup'): AnyStore {
  switch (provider) {
    case 'local_disk':
      return new LocalDiskObjectStore(role === 'primary' ? storage.dir : storage.backupDir);
    case 'azure_blob':
      return new AzureBlobObjectStore(storage.azure);
    case 'aws_s3':
      return new S3ObjectStore(storage.s3);
  }
}

/**
 * The primary object store (also the chunked-upload and, where the provider signs, the URL-signing
 * port: one adapter instance, three roles), the optional backup store, and their health probes.
 */
export function bindObjectStores(container: Container, bind: Bind, get: Get): void {
  const storage = () => get<Config>(TOKENS.Config).storage;
  const lifecycle = () => get<Lifecycle>(TOKENS.Lifecycle);
  const closeOnShutdown = (store: AnyStore) => {
    if (store instanceof S3ObjectStore) lifecycle().onClose('s3 client', async () => store.close());
    return store;
  };

  bind<ObjectStore>(TOKENS.ObjectStore, () => closeOnShutdown(makeStore(storage().provider, storage(), 'primary')));
  bind<ChunkedUploads>(TOKENS.ChunkedUploads, () => get<ObjectStore>(TOKENS.ObjectStore) as unknown as ChunkedUploads);
  // Absent for the disk: the service signs its own download URLs with an HMAC.
  if (storage().provider !== 'local_disk') {
    bind<ObjectUrlSigner>(TOKENS.ObjectUrlSigner, () => get<ObjectStore>(TOKENS.ObjectStore) as unknown as ObjectUrlSigner);
  }
  bind<ObjectStore | null>(TOKENS.BackupObjectStore, () => {
    const provider = storage().backupProvider;
    return provider ? closeOnShutdown(makeStore(provider, storage(), 'backup')) : null;
  });

  bind<ReplicateToBackup>(TOKENS.ReplicateToBackup, () => {
    const tasks = new InProcessBackgroundTasks(get<Logger>(TOKENS.Logger));
    // Copies in flight finish before shutdown closes the stores and the database they report to.
    lifecycle().onClose('backup copies', () => tasks.drain());
    return new ReplicateToBackup(
      get<ObjectStore>(TOKENS.ObjectStore),
      get<ObjectStore | null>(TOKENS.BackupObjectStore),
      get<FileRepository>(TOKENS.FileRepository),
      tasks,
      get<Logger>(TOKENS.Logger),
    );
  });

  bind<DependencyProbe[]>(TOKENS.StorageProbes, () => {
    const primary = get<ObjectStore>(TOKENS.ObjectStore);
    const backup = get<ObjectStore | null>(TOKENS.BackupObjectStore);
    const probes = [probeFor(primary, primary.provider, 'primary')];
    if (backup) {
      const queue = () => ({ backup_queue: get<ReplicateToBackup>(TOKENS.ReplicateToBackup).pending });
      probes.push(probeFor(backup, backup.provider === primary.provider ? `${backup.provider}_backup` : backup.provider, 'backup', queue));
    }
    return probes;
  });
}

function probeFor(store: ObjectStore, name: string, role: 'primary' | 'backup', facts?: () => Record<string, unknown>): DependencyProbe {
  const capacity = store instanceof LocalDiskObjectStore ? () => store.capacity() : undefined;
  return new ObjectStoreProbe(name, store, role, capacity, facts);
}

/**
 * Creates the disk folders, Azure container or S3 bucket at start. A provider that does not answer
 * is not fatal: the service starts degraded, /health says which, and the adapters retry on first write.
 */
export async function prepareObjectStores(get: Get, waitMs = 5_000): Promise<void> {
  const stores = [get<ObjectStore>(TOKENS.ObjectStore), get<ObjectStore | null>(TOKENS.BackupObjectStore)];
  for (const store of stores) {
    const ready = (store as Partial<AnyStore> | null)?.ensureReady;
    if (!store || !ready) continue;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), waitMs)));
    const done = ready.call(store).then(() => true, () => false);
    const ok = await Promise.race([done, gaveUp]);
    clearTimeout(timer);
    if (!ok) get<Logger>(TOKENS.Logger).warn({ provider: store.provider }, 'Object store not reachable at start; starting degraded');
  }
}
