import fs from 'node:fs/promises';
import path from 'node:path';

/** S3's minimum size of every part but the last (real S3 answers EntityTooSmall on complete). */
const MIN_PART_BYTES = 5 * 1024 * 1024;

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;
interface Part {
  number: number;
  etag: string;
}
interface S3rverInternals {
  middleware: Middleware[];
  store: {
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    putObjectMultipart(bucket: string, uploadId: string, parts: Part[]): Promise<unknown>;
  };
}

/**
 * s3rver 3.7 stores multipart parts and completes uploads, but has no ListParts or
 * AbortMultipartUpload (405) and completes with parts of any size or ETag. This teaches a running
 * s3rver those three rules of S3's documented API, so the S3 adapter's multipart staging is tested
 * against what real S3 enforces: ListParts answers the stored parts with their ETags and sizes,
 * abort drops the upload (NoSuchUpload after), and complete refuses a part that was never stored,
 * whose ETag differs, or (but the last) under 5 MiB.
 */
export function teachMultipart(server: unknown): void {
  const s3rver = server as S3rverInternals;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3Error = require('s3rver/lib/models/error') as new (code: string, message: string) => Error;
  const uploadDir = (bucket: string, uploadId: string) => {
    if (!/^[a-f0-9]+$/.test(uploadId)) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.');
    return path.join(s3rver.store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
  };
  const storedParts = async (dir: string) => {
    const names = await fs.readdir(dir).catch(() => null);
    if (!names) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.');
    const numbers = names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
    return Promise.all(
      numbers.map(async (number) => ({
        number,
        etag: (await fs.readFile(path.join(dir, `${number}.md5`), 'utf8')).trim(),
        size: (await fs.stat(path.join(dir, String(number)))).size,
      })),
    );
  };

  const multipartCalls: Middleware = async (ctx, next) => {
    const uploadId = typeof ctx.query.uploadId === 'string' ? ctx.query.uploadId : null;
    const [, bucket, ...keyParts] = ctx.path.split('/');
    if (!uploadId || !bucket || keyParts.length === 0 || (ctx.method !== 'GET' && ctx.method !== 'DELETE')) return next();
    const dir = uploadDir(bucket, uploadId);
    const parts = await storedParts(dir);
    if (ctx.method === 'DELETE') {
      await fs.rm(dir, { recursive: true, force: true });
      ctx.status = 204;
      ctx.body = '';
      return;
    }
    ctx.body = {
      ListPartsResult: {
        Bucket: bucket,
        Key: decodeURIComponent(keyParts.join('/')),
        UploadId: uploadId,
        IsTruncated: false,
        Part: parts.map((p) => ({ PartNumber: p.number, ETag: `"${p.etag}"`, Size: p.size })),
      },
    };
  };
  // Before the router (the last middleware), which would answer 405 to both.
  s3rver.middleware.splice(s3rver.middleware.length - 1, 0, multipartCalls);

  // ListMultipartUploads (GET /bucket?uploads), which s3rver answers NotImplemented: the uploads begun
  // and neither completed nor aborted, with their key and when they began (one page).
  const listUploads: Middleware = async (ctx, next) => {
    const [, bucket, ...rest] = ctx.path.split('/');
    if (ctx.method !== 'GET' || !bucket || rest.some(Boolean) || !('uploads' in ctx.query)) return next();
    const root = s3rver.store.getResourcePath(bucket, undefined, 'uploads');
    const ids = (await fs.readdir(root).catch(() => [] as string[])).filter((id) => /^[a-f0-9]+$/.test(id));
    const uploads = (
      await Promise.all(
        ids.map(async (id) => {
          const keyFile = path.join(root, id, 'key');
          const key = await fs.readFile(keyFile, 'utf8').catch(() => null);
          return key === null ? null : { Key: key, UploadId: id, Initiated: (await fs.stat(keyFile)).mtime.toISOString() };
        }),
      )
    ).filter((u) => u !== null);
    ctx.body = { ListMultipartUploadsResult: { Bucket: bucket, IsTruncated: false, Upload: uploads } };
  };
  s3rver.middleware.splice(s3rver.middleware.length - 1, 0, listUploads);

  const complete = s3rver.store.putObjectMultipart.bind(s3rver.store);
  s3rver.store.putObjectMultipart = async (bucket, uploadId, parts) => {
    const stored = new Map((await storedParts(uploadDir(bucket, uploadId))).map((p) => [p.number, p]));
    parts.forEach((part, i) => {
      const found = stored.get(part.number);
      if (!found || found.etag !== part.etag) throw new S3Error('InvalidPart', 'One or more of the specified parts could not be found.');
      if (i > 0 && part.number <= parts[i - 1]!.number) throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order.');
      if (i < parts.length - 1 && found.size < MIN_PART_BYTES) throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.');
    });
    return complete(bucket, uploadId, parts);
  };
}
