import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { providerErrorTranslator } from './storage-errors';

export interface S3Settings {
  bucket: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** An S3-compatible endpoint (s3rver, MinIO): addressed path-style. */
  endpoint?: string;
  /** Attempts of one request (the SDK retries a timed-out or refused one): default 3. */
  maxAttempts?: number;
  /** A TCP connection the provider never completes fails after this long: default 5 s. */
  connectTimeoutMs?: number;
  /** No byte sent or received on a request's socket for this long fails it (a hung provider): default 10 s. */
  idleTimeoutMs?: number;
}

export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: Boolean(settings.endpoint),
    credentials: settings.accessKeyId ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey ?? '' } : undefined,
    maxAttempts: settings.maxAttempts ?? 3,
    // Without these a provider that accepts connections and never answers holds a request for ever
    // (found by the fault suite, issue 13): a timeout is a 503 STORAGE_BACKEND_ERROR like a refusal.
    requestHandler: { connectionTimeout: settings.connectTimeoutMs ?? 5_000, socketTimeout: settings.idleTimeoutMs ?? 10_000 },
    // With the default checksums a streamed body goes out aws-chunked, which S3-compatible servers
    // such as s3rver store framing and all (see DEPENDENCIES.md): checksum only where S3 requires it.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** The SDK's own errors carry `$metadata`; a 404 or 416 may come with only the error's name. */
export const translate = providerErrorTranslator('aws_s3', (error) => {
  const status = statusOf(error);
  const name = (error as { name?: string })?.name;
  if (status === 404 || name === 'NoSuchKey') return 'not_found';
  if (status === 416 || name === 'InvalidRange') return 'range_not_satisfiable';
  // The SDK wraps a refused connection in an error that keeps no code, only its `$metadata`.
  const fromSdk = error instanceof S3ServiceException || (typeof error === 'object' && error !== null && '$metadata' in error);
  return fromSdk ? 'refused' : null;
});
