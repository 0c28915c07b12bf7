import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { FileNotFound, RangeNotSatisfiable } from '../../domain/storage/errors';
import { backendError, isNetworkError } from './storage-errors';

export interface S3Settings {
  bucket: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** An S3-compatible endpoint (s3rver, MinIO): addressed path-style. */
  endpoint?: string;
  maxAttempts?: number;
}

export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: Boolean(settings.endpoint),
    credentials: settings.accessKeyId ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey ?? '' } : undefined,
    maxAttempts: settings.maxAttempts ?? 3,
    // With the default checksums a streamed body goes out aws-chunked, which S3-compatible servers
    // such as s3rver store framing and all (see DEPENDENCIES.md): checksum only where S3 requires it.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

export function translate(operation: string, error: unknown): unknown {
  if (error instanceof FileNotFound || error instanceof RangeNotSatisfiable) return error;
  const status = statusOf(error);
  if (status === 404 || (error as { name?: string })?.name === 'NoSuchKey') return new FileNotFound('No object at this key');
  if (status === 416 || (error as { name?: string })?.name === 'InvalidRange') return new RangeNotSatisfiable('Range outside the object');
  // The SDK wraps a refused connection in an error that keeps no code, only its `$metadata`.
  const fromSdk = error instanceof S3ServiceException || (typeof error === 'object' && error !== null && '$metadata' in error);
  if (fromSdk || isNetworkError(error)) return backendError('aws_s3', operation, error);
  // Anything else is the source stream's own failure (a client that went away), not the provider's.
  return error;
}
