import zlib from 'node:zlib';
import fc from 'fast-check';
import type { Fixtures } from './fuzz-world';
import { BAD_UTF8, NASTY_NAMES, NASTY_STRINGS, nastyPathSegment, nastyString, percentEncode } from './nasty-values';
import type { Operation } from './openapi-operations';
import { jsonText, type SchemaArbitraries } from './schema-arbitrary';

/** A request as written on the socket: any bytes in path, headers and body. */
export interface FuzzRequest {
  method: string;
  target: string;
  headers: Array<[string, string | Buffer]>;
  body?: Buffer;
  /** What was fuzzed, for the failure message. */
  label: string;
}

export interface RequestContext {
  schemas: SchemaArbitraries;
  ids: Fixtures;
  /** Authorization header values: valid ones (user, admin, another user) and bad ones. */
  validAuthorizations: string[];
  badAuthorizations: string[];
}

/** Valid values for path parameters, by name: the seeded rows, so a valid id reaches the code behind the lookup. */
function pathIds(ids: Fixtures): Record<string, string[]> {
  return {
    file_id: [...ids.fileIds, ids.otherFileId],
    session_id: [ids.resumableSessionId, ids.tusSessionId].filter(Boolean),
    transform_id: [ids.transformId].filter(Boolean),
    purge_id: [ids.purgeId],
    connection_id: [ids.connectionId],
    id: [ids.backupId],
    user_id: [ids.userId, ids.otherUserId],
    project_id: [ids.projectId],
    version: ids.cdnVersions.length ? ids.cdnVersions : ['v1'],
  };
}

export function requestFor(op: Operation, ctx: RequestContext): fc.Arbitrary<FuzzRequest> {
  const known = pathIds(ctx.ids);
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const path = fc
    .tuple(...pathParams.map((p) => pathValue(p.name, known[p.name] ?? [], ctx)))
    .map((values) => pathParams.reduce((acc, p, i) => acc.replace(`{${p.name}}`, values[i]!), op.path));
  return fc
    .record({
      path: pathParams.length ? path : fc.constant(op.path),
      query: queryFor(op, ctx),
      authorization: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...ctx.validAuthorizations) },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 2, arbitrary: fc.constantFrom(...ctx.badAuthorizations) },
      ),
      headers: protocolHeaders(ctx.ids),
      body: bodyFor(op, ctx),
    })
    .map(({ path, query, authorization, headers, body }) => {
      const all: Array<[string, string | Buffer]> = [];
      if (authorization !== undefined) all.push(['Authorization', authorization]);
      all.push(...headers, ...body.headers);
      return { method: op.method, target: `${path}${query ? `?${query}` : ''}`, headers: all, body: body.bytes, label: body.label };
    });
}

function pathValue(name: string, valid: string[], ctx: RequestContext): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: valid.length ? 5 : 0, arbitrary: valid.length ? fc.constantFrom(...valid) : fc.constant('x') },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 4, arbitrary: nastyPathSegment() },
    { weight: 1, arbitrary: ctx.schemas.valid({ type: 'string' }, name).map((v) => percentEncode(String(v))) },
  );
}

/** Declared query parameters (valid, invalid, repeated, missing) and undeclared ones with hostile names. */
function queryFor(op: Operation, ctx: RequestContext): fc.Arbitrary<string> {
  const declared = op.parameters.filter((p) => p.in === 'query');
  const ids = ctx.ids;
  const known: Record<string, string[]> = { user_id: [ids.userId, ids.otherUserId], project_id: [ids.projectId], file_id: ids.fileIds, target_id: ids.fileIds };
  const one = (p: Operation['parameters'][number]) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constant<string[]>([]) },
      { weight: 4, arbitrary: ctx.schemas.valid(p.schema, p.name).map((v) => [`${p.name}=${percentEncode(String(v))}`]) },
      { weight: known[p.name] ? 2 : 0, arbitrary: fc.constantFrom(...(known[p.name] ?? ['x'])).map((v) => [`${p.name}=${v}`]) },
      { weight: 3, arbitrary: nastyPathSegment().map((v) => [`${p.name}=${v}`]) },
      { weight: 1, arbitrary: fc.array(fc.string({ maxLength: 5 }), { minLength: 2, maxLength: 3 }).map((vs) => vs.map((v) => `${p.name}=${percentEncode(v)}`)) },
      { weight: 1, arbitrary: fc.constantFrom([`${p.name}[]=1`], [`${p.name}[a]=1`], [p.name], [`${p.name}=`], [`${p.name}[__proto__][x]=1`]) },
    );
  const extra = fc.array(
    fc.tuple(fc.oneof(fc.constantFrom(...NASTY_NAMES).map(percentEncode), fc.constantFrom('%zz', '%00', '__proto__[polluted]', 'a[b][c][d][e][f]=1')), nastyPathSegment()).map(([k, v]) => `${k}=${v}`),
    { maxLength: 2 },
  );
  return fc
    .tuple(fc.tuple(...declared.map(one)), fc.oneof({ weight: 4, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: extra }))
    .map(([parts, more]) => [...parts.flat(), ...more].join('&'));
}

const TUS_METADATA = [
  `filename ${Buffer.from('a.txt').toString('base64')},filetype ${Buffer.from('text/plain').toString('base64')}`,
  `filename ${Buffer.from('a\u0000b').toString('base64')}`,
  `filename ${Buffer.from([0xed, 0xa0, 0x80]).toString('base64')}`,
  `filename ${Buffer.from('../../etc/passwd').toString('base64')}`,
  `filename ${Buffer.from("'; DROP TABLE files; --").toString('base64')}`,
  'filename !!!notbase64',
  'filename',
  ',,,',
  `project_id ${Buffer.from('not-a-uuid').toString('base64')}`,
  `is_public ${Buffer.from('maybe').toString('base64')}`,
  `filename ${Buffer.from('x'.repeat(5_000)).toString('base64')}`,
];

/** The headers the routes read besides the documented parameters (tus, chunks, Range, caching), each maybe present. */
function protocolHeaders(ids: Fixtures): fc.Arbitrary<Array<[string, string | Buffer]>> {
  const hostile = fc.oneof(fc.constantFrom(...NASTY_STRINGS.filter((s) => !/[\r\n\u0000]/.test(s) && !/[\ud800-\udfff]/.test(s))), fc.string({ maxLength: 12 }).filter((s) => /^[\x20-\x7e]*$/.test(s)));
  const header = (name: string, values: string[]) =>
    fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: hostile }).map((v) => (v === null ? null : ([name, v] as [string, string])));
  return fc
    .tuple(
      header('Tus-Resumable', ['1.0.0', '0.2.2', '2.0']),
      header('Upload-Length', ['0', '10', '100', '-1', '1.5', '99999999999999999999', '0x10']),
      header('Upload-Offset', ['0', '5', '100', '-1', 'abc']),
      header('Upload-Metadata', TUS_METADATA),
      header('Upload-Defer-Length', ['1', '0']),
      header('X-Upload-Session', [ids.resumableSessionId, ids.tusSessionId, '%zz']),
      header('X-Chunk-Index', ['0', '1', '-1', '1e3', '99999999999999999999']),
      header('X-Chunk-Checksum', ['d41d8cd98f00b204e9800998ecf8427e', 'zz', '']),
      header('X-File-Checksum', ['d41d8cd98f00b204e9800998ecf8427e', 'sha256:abc', 'md5:']),
      header('Range', ['bytes=0-10', 'bytes=-5', 'bytes=10-5', 'bytes=0-0,2-2,4-4', 'bytes=abc', 'items=0-1', 'bytes=99999999999999999999-', 'bytes=0-1,'.repeat(300)]),
      header('If-None-Match', ['*', '"abc"', 'W/"x"', '""']),
      header('If-Modified-Since', ['Mon, 01 Jan 2024 00:00:00 GMT', 'not a date', '0']),
      header('If-Range', ['"abc"', 'Mon, 01 Jan 2024 00:00:00 GMT']),
      header('X-Request-ID', ['fuzz-1', 'x'.repeat(1_000), '../../x', "'; --", '']),
      header('Accept', ['application/json', 'text/html', '*/*', 'application/xml;q=0.9']),
      header('Origin', ['https://evil.example', 'null']),
      header('X-Forwarded-For', ['1.2.3.4', 'not-an-ip, ::1']),
      fc.oneof({ weight: 20, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constant(['X-Padding', 'p'.repeat(17_000)] as [string, string]) }),
      fc.oneof(
        { weight: 20, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.constantFrom<[string, string | Buffer]>(['X-Bad', 'a\u0000b'], ['X-Bad', Buffer.from([0xff, 0xfe, 0x80])], ['Bad Name', 'x'], ['X-Upload-Session', Buffer.from([0xed, 0xa0, 0x80])]) },
      ),
    )
    .map((headers) => headers.filter((h): h is [string, string | Buffer] => h !== null));
}

interface Body {
  bytes?: Buffer;
  headers: Array<[string, string]>;
  label: string;
}

function bodyFor(op: Operation, ctx: RequestContext): fc.Arbitrary<Body> {
  if (op.body?.mediaType === 'multipart/form-data') return multipartBody(ctx);
  if (op.body?.mediaType === 'application/json') return jsonBody(op, ctx);
  // No documented body (GETs, tus PATCH, the raw chunk PUT): mostly none or raw bytes; sometimes JSON junk anyway.
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant<Body>({ headers: [], label: 'no body' }) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.uint8Array({ maxLength: 400 }), fc.constantFrom('application/octet-stream', 'application/offset+octet-stream', 'text/plain', 'multipart/form-data'))
        .map(([bytes, type]) => ({ bytes: Buffer.from(bytes), headers: [['Content-Type', type]] as Array<[string, string]>, label: `raw ${type}` })),
    },
    { weight: 1, arbitrary: jsonBody({ ...op, body: { mediaType: 'application/json', schema: {}, required: false } }, ctx) },
  );
}

/** JSON bodies: schema-valid, schema-valid with one thing wrong, or not JSON at all; with honest or lying encodings. */
function jsonBody(op: Operation, ctx: RequestContext): fc.Arbitrary<Body> {
  const schema = op.body?.schema ?? {};
  const text = fc.oneof(
    { weight: 3, arbitrary: ctx.schemas.valid(schema).map((v) => ({ text: jsonText(v), label: 'valid json' })) },
    { weight: 6, arbitrary: ctx.schemas.mutated(schema).map((v) => ({ text: jsonText(v), label: 'mutated json' })) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom('', '{', '{"a":', 'null', '[]', '"text"', '1', 'true', '{"a":1,"a":2}', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}', `{"a":"${'\\ud800'}"}`, "{'a':1}", '{"a":NaN}', '{"a":1e999}', '\u0000')
        .map((t) => ({ text: t, label: 'malformed json' })),
    },
    { weight: 1, arbitrary: fc.constantFrom(...[10_000, 200].map((n) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`)).map((t) => ({ text: t, label: 'deep json' })) },
    { weight: 1, arbitrary: fc.constant({ text: `{"a":"${'x'.repeat(1_100_000)}"}`, label: 'json over BODY_LIMIT' }) },
  );
  const bytes = fc.oneof(
    { weight: 12, arbitrary: text.map(({ text, label }) => ({ bytes: Buffer.from(text, 'utf8'), label })) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_UTF8).map((b) => ({ bytes: b, label: 'bad utf-8' })) },
  );
  const contentType = fc.oneof(
    { weight: 10, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: fc.constantFrom<string | null>(null, 'text/plain', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/x-www-form-urlencoded', 'application/json; boundary=x', 'application/vnd.api+json', ';;;') },
  );
  const encoding = fc.oneof(
    { weight: 12, arbitrary: fc.constant<string | null>(null) },
    { weight: 2, arbitrary: fc.constantFrom<string | null>('gzip', 'br', 'deflate', 'gzip*', 'br*', 'deflate*', 'zstd', 'gzip, br', 'identity', 'GZIP*', 'x-gzip') },
  );
  return fc.tuple(bytes, contentType, encoding).map(([{ bytes, label }, type, enc]) => {
    const headers: Array<[string, string]> = [];
    if (type) headers.push(['Content-Type', type]);
    let body = bytes;
    if (enc) {
      // `gzip*`: the header says gzip and the bytes really are; plain `gzip`: they are not.
      const honest = enc.endsWith('*');
      const name = honest ? enc.slice(0, -1).toLowerCase() : enc;
      if (honest) body = name === 'gzip' ? zlib.gzipSync(bytes) : name === 'br' ? zlib.brotliCompressSync(bytes) : zlib.deflateSync(bytes);
      headers.push(['Content-Encoding', name]);
    }
    return { bytes: body, headers, label: `${label}${enc ? ` (${enc})` : ''}` };
  });
}

/** multipart/form-data: whole, cut before its closing boundary, lying about its boundary, with odd parts and hostile metadata. */
function multipartBody(ctx: RequestContext): fc.Arbitrary<Body> {
  const metadataSchema = {
    type: 'object',
    properties: {
      project_id: { type: ['string', 'null'], format: 'uuid' },
      description: { type: 'string', maxLength: 2000 },
      tags: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 100 }, maxItems: 50 },
      is_public: { type: 'boolean' },
      auto_transform: { type: 'boolean' },
      custom_fields: { type: 'object', additionalProperties: {} },
    },
    additionalProperties: false,
  };
  const metadata = fc.oneof(
    { weight: 3, arbitrary: fc.constant<string | null>(null) },
    { weight: 3, arbitrary: ctx.schemas.valid(metadataSchema).map(jsonText) },
    { weight: 5, arbitrary: ctx.schemas.mutated(metadataSchema).map(jsonText) },
    { weight: 1, arbitrary: fc.constantFrom('{', 'null', '[]', '"x"', deepText(10_000)) },
  );
  const filename = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('a.txt', 'photo.png', 'doc.pdf') }, { weight: 2, arbitrary: nastyString().filter((s) => s.length < 2_000 && !/[\r\n"]/.test(s)) });
  const partType = fc.constantFrom('text/plain', 'application/octet-stream', 'image/png', 'application/x-msdownload', '', 'text/plain; charset=\u0000', '../../x');
  const content = fc.oneof(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), fc.constant(Buffer.from('hello fuzz\n')), fc.constant(Buffer.from('\x89PNG\r\n\x1a\n')));
  const shape = fc.constantFrom('whole', 'whole', 'whole', 'cut-in-file', 'no-final-dashes', 'next-part-never-comes', 'no-file', 'two-files', 'wrong-boundary', 'no-boundary-param', 'metadata-last', 'empty', 'preamble-only', 'part-without-headers');
  return fc.tuple(metadata, filename, partType, content, shape, fc.boolean()).map(([meta, name, type, bytes, form, doubleFile]) => {
    const b = 'fuzzboundary0123';
    const metaPart = meta === null ? '' : `--${b}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${meta}\r\n`;
    const filePart = (field = 'file') => Buffer.concat([Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`, 'utf8'), bytes]);
    const end = Buffer.from(`\r\n--${b}--\r\n`);
    let body: Buffer;
    switch (form) {
      case 'cut-in-file':
        body = Buffer.concat([Buffer.from(metaPart), filePart()]);
        break;
      case 'no-final-dashes':
        body = Buffer.concat([Buffer.from(metaPart), filePart(), Buffer.from(`\r\n--${b}`)]);
        break;
      case 'next-part-never-comes':
        body = Buffer.concat([Buffer.from(metaPart), filePart(), Buffer.from(`\r\n--${b}\r\n`)]);
        break;
      case 'no-file':
        body = Buffer.from(`${metaPart}--${b}--\r\n`);
        break;
      case 'two-files':
        body = Buffer.concat([Buffer.from(metaPart), filePart(), Buffer.from('\r\n'), filePart(doubleFile ? 'file' : 'other'), end]);
        break;
      case 'metadata-last':
        body = Buffer.concat([filePart(), Buffer.from(`\r\n${metaPart}--${b}--\r\n`)]);
        break;
      case 'empty':
        body = Buffer.alloc(0);
        break;
      case 'preamble-only':
        body = Buffer.from('just some text, no parts at all');
        break;
      case 'part-without-headers':
        body = Buffer.from(`--${b}\r\n\r\nbare\r\n--${b}--\r\n`);
        break;
      default:
        body = Buffer.concat([Buffer.from(metaPart), filePart(), end]);
    }
    const contentType = form === 'wrong-boundary' ? 'multipart/form-data; boundary=somethingelse' : form === 'no-boundary-param' ? 'multipart/form-data' : `multipart/form-data; boundary=${b}`;
    return { bytes: body, headers: [['Content-Type', contentType]] as Array<[string, string]>, label: `multipart ${form}` };
  });
}

const deepText = (levels: number) => `{"custom_fields":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}}`;

/** The request's bytes, as a client would write them (Content-Length right unless `contentLength` says otherwise). */
export function wireBytes(req: FuzzRequest, contentLength?: number): Buffer {
  const lines: Buffer[] = [Buffer.from(`${req.method} ${req.target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n`, 'latin1')];
  for (const [name, value] of req.headers) lines.push(Buffer.concat([Buffer.from(`${name}: `, 'latin1'), typeof value === 'string' ? Buffer.from(value, 'utf8') : value, Buffer.from('\r\n')]));
  const length = contentLength ?? req.body?.length;
  if (length !== undefined) lines.push(Buffer.from(`Content-Length: ${length}\r\n`));
  lines.push(Buffer.from('\r\n'));
  if (req.body) lines.push(req.body);
  return Buffer.concat(lines);
}
