import path from 'node:path';
import { z } from 'zod';
import { optionalText, optionalUrl } from './env-fields';

/** The storage part of config.ts: where file bytes live, the primary provider and the backup one. */

export type StorageProviderName = 'local_disk' | 'azure_blob' | 'aws_s3';

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `expected a whole number between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`));

export const storageEnv = {
  STORAGE_PROVIDER: z.enum(['local_disk', 'azure_blob', 'aws_s3'], { message: 'expected local_disk, azure_blob or aws_s3' }).default('local_disk'),
  BACKUP_STORAGE_PROVIDER: z.enum(['none', 'local_disk', 'azure_blob', 'aws_s3'], { message: 'expected none, local_disk, azure_blob or aws_s3' }).default('none'),
  STORAGE_DIR: optionalText,
  BACKUP_STORAGE_DIR: optionalText,
  AZURE_STORAGE_CONNECTION_STRING: optionalText,
  AZURE_STORAGE_ACCOUNT: optionalText,
  AZURE_STORAGE_KEY: optionalText,
  AZURE_STORAGE_URL: optionalUrl,
  AZURE_CONTAINER_NAME: z.string().trim().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'expected an Azure container name (3-63 lower-case letters, digits, dashes)').default('visiobook-files'),
  AWS_ACCESS_KEY_ID: optionalText,
  AWS_SECRET_ACCESS_KEY: optionalText,
  AWS_REGION: z.string().trim().min(1).default('eu-west-1'),
  AWS_S3_BUCKET: optionalText,
  AWS_S3_ENDPOINT: optionalUrl,
  AWS_S3_MAX_ATTEMPTS: wholeNumber(1, 10).default(3),
  AWS_S3_CONNECT_TIMEOUT_MS: wholeNumber(100, 600_000).default(5_000),
  AWS_S3_SOCKET_TIMEOUT_MS: wholeNumber(100, 3_600_000).default(10_000),
};

/** Never echoed in configuration errors. */
export const STORAGE_SECRET_VARIABLES = ['AZURE_STORAGE_CONNECTION_STRING', 'AZURE_STORAGE_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

const storageSchema = z.object(storageEnv);
type StorageEnv = z.output<typeof storageSchema>;

export interface StorageConfig {
  provider: StorageProviderName;
  /** null: no backup copies. */
  backupProvider: StorageProviderName | null;
  /** Root of the local_disk provider; the backup disk gets its own. */
  dir: string;
  backupDir: string;
  azure: { containerName: string; connectionString?: string; accountName?: string; accountKey?: string; url?: string };
  s3: { bucket: string; region: string; accessKeyId?: string; secretAccessKey?: string; endpoint?: string; maxAttempts: number; connectTimeoutMs: number; idleTimeoutMs: number };
}

export function storageConfig(e: StorageEnv, dataDir: string, resolve: (p: string) => string, problems: string[]): StorageConfig {
  const backupProvider = e.BACKUP_STORAGE_PROVIDER === 'none' ? null : e.BACKUP_STORAGE_PROVIDER;
  const used = new Set<string>([e.STORAGE_PROVIDER, backupProvider ?? 'none']);
  if (backupProvider === e.STORAGE_PROVIDER && backupProvider !== 'local_disk') {
    problems.push('BACKUP_STORAGE_PROVIDER: expected a provider other than STORAGE_PROVIDER (a backup in the same place is no backup)');
  }
  if (used.has('azure_blob') && !e.AZURE_STORAGE_CONNECTION_STRING && !(e.AZURE_STORAGE_ACCOUNT && e.AZURE_STORAGE_KEY)) {
    problems.push('AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY: azure_blob needs credentials');
  }
  if (used.has('aws_s3') && !e.AWS_S3_BUCKET) problems.push('AWS_S3_BUCKET: aws_s3 needs a bucket');
  if (Boolean(e.AWS_ACCESS_KEY_ID) !== Boolean(e.AWS_SECRET_ACCESS_KEY)) {
    problems.push('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: expected both or neither (neither: the SDK default credential chain)');
  }
  const dir = e.STORAGE_DIR ? resolve(e.STORAGE_DIR) : path.join(dataDir, 'objects');
  const backupDir = e.BACKUP_STORAGE_DIR ? resolve(e.BACKUP_STORAGE_DIR) : path.join(dataDir, 'backup-objects');
  if (backupProvider === 'local_disk' && e.STORAGE_PROVIDER === 'local_disk' && dir === backupDir) {
    problems.push('BACKUP_STORAGE_DIR: expected a folder other than STORAGE_DIR');
  }
  return {
    provider: e.STORAGE_PROVIDER,
    backupProvider,
    dir,
    backupDir,
    azure: {
      containerName: e.AZURE_CONTAINER_NAME,
      connectionString: e.AZURE_STORAGE_CONNECTION_STRING,
      accountName: e.AZURE_STORAGE_ACCOUNT,
      accountKey: e.AZURE_STORAGE_KEY,
      url: e.AZURE_STORAGE_URL,
    },
    s3: {
      bucket: e.AWS_S3_BUCKET ?? '',
      region: e.AWS_REGION,
      accessKeyId: e.AWS_ACCESS_KEY_ID,
      secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
      endpoint: e.AWS_S3_ENDPOINT,
      maxAttempts: e.AWS_S3_MAX_ATTEMPTS,
      connectTimeoutMs: e.AWS_S3_CONNECT_TIMEOUT_MS,
      idleTimeoutMs: e.AWS_S3_SOCKET_TIMEOUT_MS,
    },
  };
}
