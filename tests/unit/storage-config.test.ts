import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/infrastructure/config';

const ROOT = '/srv/visiobook';
const load = (env: Record<string, string>) => loadConfig(env, { projectRoot: ROOT, version: '1.2.3' });

function problemsOf(env: Record<string, string>): string {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('storage configuration', () => {
  it('defaults to the local disk under DATA_DIR, with no backup', () => {
    expect(load({ DATA_DIR: '/var/vb' }).storage).toMatchObject({ provider: 'local_disk', backupProvider: null, dir: '/var/vb/objects' });
    expect(load({ STORAGE_DIR: 'files' }).storage.dir).toBe(path.join(ROOT, 'files'));
  });

  it('reads Azure from a connection string or from account, key and endpoint', () => {
    const azure = load({ STORAGE_PROVIDER: 'azure_blob', AZURE_STORAGE_ACCOUNT: 'acct', AZURE_STORAGE_KEY: 'k', AZURE_STORAGE_URL: 'http://127.0.0.1:10000/acct' }).storage;
    expect(azure).toMatchObject({ provider: 'azure_blob', azure: { accountName: 'acct', accountKey: 'k', url: 'http://127.0.0.1:10000/acct', containerName: 'visiobook-files' } });
    expect(load({ STORAGE_PROVIDER: 'azure_blob', AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' }).storage.azure.connectionString).toBe('UseDevelopmentStorage=true');
  });

  it('takes S3 as a backup of Azure, path-style endpoint included', () => {
    const storage = load({
      STORAGE_PROVIDER: 'azure_blob',
      AZURE_STORAGE_CONNECTION_STRING: 'x',
      BACKUP_STORAGE_PROVIDER: 'aws_s3',
      AWS_S3_BUCKET: 'backup',
      AWS_S3_ENDPOINT: 'http://127.0.0.1:9000',
    }).storage;
    expect(storage).toMatchObject({ backupProvider: 'aws_s3', s3: { bucket: 'backup', region: 'eu-west-1', endpoint: 'http://127.0.0.1:9000' } });
  });

  it('reads the S3 attempts and timeouts (defaults 3, 5 s, 10 s) and refuses values out of range', () => {
    expect(load({ STORAGE_PROVIDER: 'aws_s3', AWS_S3_BUCKET: 'b' }).storage.s3).toMatchObject({ maxAttempts: 3, connectTimeoutMs: 5_000, idleTimeoutMs: 10_000 });
    const tuned = load({ STORAGE_PROVIDER: 'aws_s3', AWS_S3_BUCKET: 'b', AWS_S3_MAX_ATTEMPTS: '1', AWS_S3_CONNECT_TIMEOUT_MS: '2000', AWS_S3_SOCKET_TIMEOUT_MS: '2500' }).storage.s3;
    expect(tuned).toMatchObject({ maxAttempts: 1, connectTimeoutMs: 2_000, idleTimeoutMs: 2_500 });
    expect(problemsOf({ AWS_S3_MAX_ATTEMPTS: '0' })).toContain('AWS_S3_MAX_ATTEMPTS');
    expect(problemsOf({ AWS_S3_SOCKET_TIMEOUT_MS: 'soon' })).toContain('AWS_S3_SOCKET_TIMEOUT_MS');
  });

  it('refuses unknown providers, missing credentials or bucket, and a backup in the same place', () => {
    expect(problemsOf({ STORAGE_PROVIDER: 'ftp' })).toContain('STORAGE_PROVIDER: expected local_disk, azure_blob or aws_s3');
    expect(problemsOf({ STORAGE_PROVIDER: 'azure_blob' })).toContain('azure_blob needs credentials');
    expect(problemsOf({ BACKUP_STORAGE_PROVIDER: 'aws_s3' })).toContain('AWS_S3_BUCKET: aws_s3 needs a bucket');
    expect(problemsOf({ STORAGE_PROVIDER: 'aws_s3', BACKUP_STORAGE_PROVIDER: 'aws_s3', AWS_S3_BUCKET: 'b' })).toContain('BACKUP_STORAGE_PROVIDER');
    expect(problemsOf({ BACKUP_STORAGE_PROVIDER: 'local_disk', STORAGE_DIR: 'x', BACKUP_STORAGE_DIR: 'x' })).toContain('BACKUP_STORAGE_DIR');
  });

  it('never echoes a storage secret', () => {
    const message = problemsOf({ STORAGE_PROVIDER: 'azure_blob', AZURE_STORAGE_KEY: 'super-secret-key', AWS_SECRET_ACCESS_KEY: 'aws-secret' });
    expect(message).not.toContain('super-secret-key');
    expect(message).not.toContain('aws-secret');
  });
});
