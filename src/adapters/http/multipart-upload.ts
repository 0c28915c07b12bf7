import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import busboy from 'busboy';
import { DomainError } from '../../domain/shared/domain-error';
import { ValidationFailed } from '../../domain/shared/errors';
import { FileTooLarge } from '../../domain/storage/errors';

export interface FilePart {
  stream: Readable;
  fileName: string;
  mimeType: string | null;
}

/** The client went away mid-body; nobody is left to read the answer. */
export class UploadAborted extends Error {
  constructor() {
    super('The client closed the connection before the upload finished');
  }
}

/** Room for the form's boundaries, headers and metadata part on top of the file itself. */
const FORM_OVERHEAD_BYTES = 1024 * 1024;
/**
 * What busboy may hold (form and file part) before it pauses the request: with the 16 KiB default,
 * every 64 KiB the socket delivers paused and resumed the request (docs/benchmarks.md, Storage).
 */
const STREAM_BUFFER_BYTES = 256 * 1024;

/**
 * Reads a multipart/form-data request with busboy, handing the `file` part to `start` as a stream
 * (never buffered) together with the `metadata` field, parsed: its value when it came first, else a
 * promise settled when it is read (or with parseMetadata(null) at the end of the form). Settles with `start`'s result.
 */
export function receiveUpload<T>(
  req: IncomingMessage,
  maxFileBytes: number,
  parseMetadata: (raw: string | null) => unknown,
  start: (part: FilePart, metadata: unknown) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxFileBytes + FORM_OVERHEAD_BYTES) {
      reject(new FileTooLarge('File size exceeds maximum allowed limit', { request_size_bytes: declared, max_size_bytes: maxFileBytes }));
      return;
    }
    let form: busboy.Busboy;
    try {
      form = busboy({ headers: req.headers, highWaterMark: STREAM_BUFFER_BYTES, fileHwm: STREAM_BUFFER_BYTES, limits: { files: 1, fileSize: maxFileBytes + 1, fields: 5, fieldSize: 64 * 1024, parts: 10 } });
    } catch {
      reject(new ValidationFailed('Expected a multipart/form-data body with a file part', [{ path: 'body', message: 'not multipart/form-data' }]));
      return;
    }
    let settleMetadata: (raw: string | null) => void = () => undefined;
    let abandonMetadata: (error: Error) => void = () => undefined;
    // Once read, the parsed value itself: the upload can then use it before the first byte (object key).
    let early: { value: unknown } | null = null;
    const metadata = new Promise<unknown>((ok, ko) => {
      const done = () => {
        settleMetadata = () => undefined;
        abandonMetadata = () => undefined;
      };
      settleMetadata = (raw) => {
        done();
        try {
          const value = parseMetadata(raw);
          early = { value };
          ok(value);
        } catch (error) {
          ko(error);
        }
      };
      abandonMetadata = (error) => {
        done();
        ko(error);
      };
    });
    metadata.catch(() => undefined);
    // Settled when the form is over: whole (its closing boundary read), malformed, or cut short.
    let endForm: () => void = () => undefined;
    let failForm: (error: Error) => void = () => undefined;
    const formEnded = new Promise<void>((ok, ko) => {
      endForm = ok;
      failForm = ko;
    });
    formEnded.catch(() => undefined);
    let fileStream: Readable | null = null;
    let upload: Promise<T> | null = null;

    const stopReading = () => {
      req.unpipe(form);
      req.resume();
    };
    req.once('close', () => {
      if (req.complete) return;
      // Cut during the file, or after it while a metadata part was still to come: either way, give up.
      fileStream?.destroy(new UploadAborted());
      abandonMetadata(new UploadAborted());
      failForm(new UploadAborted());
    });
    form.on('field', (name, value) => {
      if (name === 'metadata') settleMetadata(value);
    });
    form.on('file', (name, stream, info) => {
      if (name !== 'file' || upload) {
        stream.resume();
        return;
      }
      fileStream = stream;
      upload = start({ stream: heldUntilFormEnds(stream, formEnded), fileName: info.filename ?? 'file', mimeType: info.mimeType || null }, early ? early.value : metadata);
      upload.then(resolve, (error: unknown) => {
        stopReading();
        reject(error);
      });
    });
    form.on('close', () => {
      endForm();
      settleMetadata(null);
      if (!upload) reject(new ValidationFailed('The form has no file part', [{ path: 'body.file', message: 'required' }]));
    });
    form.on('error', (error: unknown) => {
      const failure = asFormFailure(error);
      failForm(failure);
      fileStream?.destroy(failure);
      abandonMetadata(failure);
      stopReading();
      if (!upload) reject(failure);
    });
    req.pipe(form);
  });
}

/** busboy's own errors (a truncated or malformed form) are the client's: 400, the rest as they are. */
function asFormFailure(error: unknown): Error {
  if (error instanceof DomainError || error instanceof UploadAborted) return error;
  return new ValidationFailed('Malformed multipart body', [{ path: 'body', message: String((error as Error)?.message ?? error) }]);
}

/**
 * The file part as the upload reads it: the same bytes, but its end is held back until the whole
 * form has been read, and a form that turns out truncated or malformed fails it instead. busboy ends
 * a file part at its boundary, before it knows whether the form closes properly; without this, a
 * body cut just after the file part would still store the file.
 */
function heldUntilFormEnds(part: Readable, formEnded: Promise<void>): Readable {
  const held = new Transform({
    readableHighWaterMark: STREAM_BUFFER_BYTES,
    writableHighWaterMark: STREAM_BUFFER_BYTES,
    transform: (chunk, _encoding, done) => done(null, chunk),
    flush: (done) => void formEnded.then(() => done(), done),
  });
  // busboy destroys the part with its raw error (before the form reports it): give it its code here.
  part.once('error', (error) => held.destroy(asFormFailure(error)));
  part.pipe(held);
  return held;
}
