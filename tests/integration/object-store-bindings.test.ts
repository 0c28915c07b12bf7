import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Container } from 'inversify';
import { InMemoryFileRepository } from '../../src/adapters/in-memory/fakes/in-memory-file-repository';
import { ReplicateToBackup } from '../../src/application/storage/backup-copies/replicate-to-backup';
import { aFile } from '../support/file-builder';
import type { ObjectStore } from '../../src/application/ports/object-store.port';
import type { UploadStaging } from '../../src/application/ports/upload-staging.port';
import type { DependencyProbe } from '../../src/application/ports/dependency-probe.port';
import type { FileRepository } from '../../src/application/ports/file-repository.port';
import { CheckHealth } from '../../src/application/health/check-health';
import { bindObjectStores, prepareObjectStores } from '../../src/infrastructure/bindings/object-store.bindings';
import { loadConfig } from '../../src/infrastructure/config';
import { binder } from '../../src/infrastructure/binder';
import { Lifecycle } from '../../src/infrastructure/lifecycle';
import { TOKENS } from '../../src/infrastructure/tokens';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { freePort } from '../support/free-port';
import { startS3rver, type RunningS3 } from '../support/s3rver';

let azurite: RunningAzurite;
let s3: RunningS3;
let dataDir: string;
beforeAll(async () => {
  [azurite, s3] = await Promise.all([startAzurite(), startS3rver()]);
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-bindings-'));
}, 30_000);
afterAll(async () => {
  await Promise.all([azurite.stop(), s3.stop(), fs.rm(dataDir, { recursive: true, force: true })]);
});

const warnings: unknown[] = [];

function wire(env: Record<string, string>) {
  const config = loadConfig({ DATA_DIR: dataDir, ...env }, { projectRoot: dataDir, version: '0.0.0' });
  const container = new Container({ defaultScope: 'Singleton' });
  const lifecycle = new Lifecycle();
  const get = <T>(token: symbol) => container.get<T>(token);
  container.bind(TOKENS.Config).toConstantValue(config);
  container.bind(TOKENS.Lifecycle).toConstantValue(lifecycle);
  container.bind(TOKENS.Logger).toConstantValue({ info: () => undefined, error: () => undefined, warn: (...args: unknown[]) => warnings.push(args) });
  container.bind(TOKENS.FileRepository).toConstantValue(new InMemoryFileRepository());
  bindObjectStores(binder(container));
  return { container, get, close: () => lifecycle.close() };
}

const azureEnv = () => ({ AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString, AZURE_CONTAINER_NAME: 'wired-files' });
const s3Env = () => ({ AWS_S3_ENDPOINT: s3.endpoint, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: 'us-east-1', AWS_S3_BUCKET: 'wired-backup' });

describe('bindObjectStores', () => {
  it('binds the disk by default: no provider signer, no backup, a probe with the free space', async () => {
    const { container, get, close } = wire({});
    await prepareObjectStores(container);
    expect(get<ObjectStore>(TOKENS.ObjectStore).provider).toBe('local_disk');
    expect(get<UploadStaging>(TOKENS.UploadStaging)).toBe(get(TOKENS.ObjectStore));
    expect(get(TOKENS.ObjectUrlSigner)).toBeNull();
    expect(get(TOKENS.BackupObjectStore)).toBeNull();
    const report = await new CheckHealth(get<DependencyProbe[]>(TOKENS.StorageProbes), 2_000).execute();
    expect(report.checks.local_disk).toMatchObject({ status: 'UP', facts: { role: 'primary', available_space: expect.stringMatching(/^\d+%$/) } });
    await expect(fs.access(path.join(dataDir, 'objects'))).resolves.toBeUndefined();
    await close();
  });

  it('binds Azure as primary with its signer and S3 as backup, creating the container and the bucket at start', async () => {
    const { container, get, close } = wire({ STORAGE_PROVIDER: 'azure_blob', BACKUP_STORAGE_PROVIDER: 'aws_s3', ...azureEnv(), ...s3Env() });
    await prepareObjectStores(container);
    expect(get<ObjectStore>(TOKENS.ObjectStore).provider).toBe('azure_blob');
    expect(get(TOKENS.ObjectUrlSigner)).toBe(get(TOKENS.ObjectStore));
    expect(get<ObjectStore>(TOKENS.BackupObjectStore).provider).toBe('aws_s3');
    const report = await new CheckHealth(get<DependencyProbe[]>(TOKENS.StorageProbes), 2_000).execute();
    expect(report.checks).toMatchObject({ azure_blob: { status: 'UP', facts: { role: 'primary' } }, aws_s3: { status: 'UP', facts: { role: 'backup', backup_queue: 0 } } });
    const file = aFile().build();
    await get<FileRepository>(TOKENS.FileRepository).insertWithinQuota(file, Number.MAX_SAFE_INTEGER, []);
    await get<ObjectStore>(TOKENS.ObjectStore).put(file.filePath, Readable.from([Buffer.from('copy me')]), { contentType: file.mimeType });
    await expect(get<ReplicateToBackup>(TOKENS.ReplicateToBackup).run(file)).resolves.toMatchObject({ state: 'completed', provider: 'aws_s3' });
    await expect(get<ObjectStore>(TOKENS.BackupObjectStore).head(file.filePath)).resolves.toMatchObject({ size: 7 });
    await close();
  });

  it('starts degraded when the provider is down: health reports it DOWN with a safe message', async () => {
    const port = await freePort();
    const { container, get, close } = wire({ STORAGE_PROVIDER: 'aws_s3', ...s3Env(), AWS_S3_ENDPOINT: `http://127.0.0.1:${port}` });
    warnings.length = 0;
    await prepareObjectStores(container, 2_000);
    expect(warnings).toHaveLength(1);
    const report = await new CheckHealth(get<DependencyProbe[]>(TOKENS.StorageProbes), 5_000).execute();
    expect(report.checks.aws_s3).toMatchObject({ status: 'DOWN', error: 'Storage backend aws_s3 failed during ping' });
    await close();
  }, 20_000);
});
