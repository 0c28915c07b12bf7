import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { parseJson, sendJson, startFakeServer, type RecordedRequest } from './fake-provider-server';

export interface FakeAzureCdnOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptionId: string;
  resourceGroup: string;
  profile: string;
  endpoint: string;
  /** expires_in of the tokens issued. */
  tokenLifetimeSeconds?: number;
  /** Status reads before an operation ends (the first ones say InProgress). */
  pollsUntilDone?: number;
  /** Which monitor headers a 202 carries: both (as ARM does for this API) or only Location. */
  monitor?: 'both' | 'location';
}

/** Microsoft.Cdn API versions this fake accepts (stable versions of the Endpoints - Purge Content reference). */
const API_VERSIONS = new Set(['2023-05-01', '2024-02-01', '2025-04-15']);
const PATHS_PER_CALL = 50;
type Operation = { paths: string[]; polls: number; fails: boolean };
type Trouble = 'http-error' | 'operation-failed' | 'hang';

/**
 * Microsoft Entra ID's v2.0 token endpoint (client credentials) and Resource Manager's
 * Endpoints - Purge Content with its async operation, on one local server: `loginUrl` is /login,
 * `managementUrl` the root. Strict about what the docs ask (form body, scope .default, Bearer token
 * issued here and unexpired, api-version, JSON body of relative contentPaths) and answering in
 * their error formats. The cache is purged when the operation ends Succeeded, as documented:
 * a path purges all its query-string variants; `/dir/*` everything under dir; `/*` everything.
 */
export class FakeAzureCdnApi {
  tokenRequests = 0;
  purgeCalls = 0;
  pollCalls = 0;
  private readonly cached = new Set<string>();
  private readonly tokens = new Map<string, number>();
  private readonly operations = new Map<string, Operation>();
  private readonly trouble: Trouble[] = [];

  private constructor(private readonly o: FakeAzureCdnOptions, private readonly server: Awaited<ReturnType<typeof startFakeServer>>) {}

  static async start(options: FakeAzureCdnOptions): Promise<FakeAzureCdnApi> {
    let fake: FakeAzureCdnApi | undefined;
    const server = await startFakeServer((req, res) => fake!.handle(req, res));
    fake = new FakeAzureCdnApi(options, server);
    return fake;
  }

  get managementUrl(): string {
    return this.server.url;
  }
  get loginUrl(): string {
    return `${this.server.url}/login`;
  }
  get requests(): RecordedRequest[] {
    return this.server.requests;
  }
  purgeBodies(): { contentPaths: string[] }[] {
    return this.requests.filter((r) => r.method === 'POST' && r.url.includes('/purge?')).map((r) => parseJson(r.body) as { contentPaths: string[] });
  }

  prime(path: string, query?: string): void {
    this.cached.add(`${path}${query ? `?${query}` : ''}`);
  }
  isCached(path: string, query?: string): boolean {
    return this.cached.has(`${path}${query ? `?${query}` : ''}`);
  }
  /** `http-error`: the purge call answers 500; `operation-failed`: accepted, then the operation ends Failed. */
  refuseNext(how: 'http-error' | 'operation-failed' = 'operation-failed'): void {
    this.trouble.push(how);
  }
  hangNext(): void {
    this.trouble.push('hang');
  }
  /** Tokens issued so far stop working, as after a credential rotation. */
  revokeTokens(): void {
    this.tokens.clear();
  }
  close(): Promise<void> {
    return this.server.close();
  }

  private handle(req: RecordedRequest, res: ServerResponse): void {
    const url = new URL(req.url, this.server.url);
    const sub = `/subscriptions/${this.o.subscriptionId}`;
    if (url.pathname === `/login/${this.o.tenantId}/oauth2/v2.0/token` && req.method === 'POST') return this.token(req, res);
    if (url.pathname.startsWith('/login/')) return aadError(res, 400, 'invalid_request', 90002, 'Tenant not found');
    const purgePath = `${sub}/resourceGroups/${this.o.resourceGroup}/providers/Microsoft.Cdn/profiles/${this.o.profile}/endpoints/${this.o.endpoint}/purge`;
    const monitor = new RegExp(`^${sub}/providers/Microsoft.Cdn/(operationStatuses|operationResults)/([\\w-]+)$`).exec(url.pathname);
    if (url.pathname !== purgePath && !monitor) return armError(res, 404, 'ResourceNotFound', `The Resource at '${url.pathname}' was not found.`);
    if (!monitor) this.purgeCalls += 1;
    const denied = this.authError(req);
    if (denied) return armError(res, 401, denied[0], denied[1]);
    const version = url.searchParams.get('api-version');
    if (!version) return armError(res, 400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
    if (!API_VERSIONS.has(version)) return armError(res, 400, 'InvalidApiVersionParameter', `The api-version '${version}' is invalid.`);
    if (monitor) return this.poll(monitor[1]!, monitor[2]!, req, res);
    if (req.method !== 'POST') return armError(res, 405, 'MethodNotAllowed', 'The requested method is not allowed.');
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
      return armError(res, 415, 'UnsupportedMediaType', "The content media type is not supported. Only 'application/json' is supported.");
    }
    const body = parseJson(req.body) as { contentPaths?: unknown } | undefined;
    const paths = body?.contentPaths;
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string')) {
      return armError(res, 400, 'BadRequest', 'contentPaths must be a non-empty list of paths.');
    }
    if (paths.length > PATHS_PER_CALL) return armError(res, 400, 'BadRequest', `At most ${PATHS_PER_CALL} content paths per purge request.`);
    const bad = paths.find((p: string) => !p.startsWith('/') || p.includes('://') || p.slice(0, -1).includes('*') || (p.endsWith('*') && !p.endsWith('/*')));
    if (bad !== undefined) return armError(res, 400, 'BadRequest', `Invalid content path: ${bad}`);

    const trouble = this.trouble.shift();
    if (trouble === 'hang') return;
    if (trouble === 'http-error') return armError(res, 500, 'InternalServerError', 'An internal error occurred while purging the endpoint.');
    const id = randomUUID();
    this.operations.set(id, { paths, polls: 0, fails: trouble === 'operation-failed' });
    const query = `?api-version=${version}`;
    const headers: Record<string, string> = { Location: `${this.server.url}${sub}/providers/Microsoft.Cdn/operationResults/${id}${query}` };
    if (this.o.monitor !== 'location') headers['Azure-AsyncOperation'] = `${this.server.url}${sub}/providers/Microsoft.Cdn/operationStatuses/${id}${query}`;
    res.writeHead(202, { ...headers, 'Retry-After': '10', 'Content-Length': '0' }).end();
  }

  private poll(kind: string, id: string, req: RecordedRequest, res: ServerResponse): void {
    const op = this.operations.get(id);
    if (req.method !== 'GET' || !op) return armError(res, 404, 'OperationNotFound', `Operation ${id} not found.`);
    this.pollCalls += 1;
    op.polls += 1;
    const done = op.polls >= (this.o.pollsUntilDone ?? 2);
    if (done && !op.fails) this.apply(op.paths);
    const status = !done ? 'InProgress' : op.fails ? 'Failed' : 'Succeeded';
    const error = { code: 'PurgeFailed', message: 'The purge could not be completed.' };
    if (kind === 'operationResults') {
      if (!done) return void res.writeHead(202, { Location: `${this.server.url}${req.url}`, 'Content-Length': '0' }).end();
      return op.fails ? armError(res, 500, error.code, error.message) : void res.writeHead(200, { 'Content-Length': '0' }).end();
    }
    sendJson(res, 200, { name: id, status, startTime: new Date().toISOString(), ...(op.fails && done ? { error } : {}) });
  }

  private apply(paths: string[]): void {
    for (const key of [...this.cached]) {
      const path = key.split('?')[0]!;
      // Query strings in a purge path are ignored (Azure CDN from Microsoft), so they purge all variants too.
      if (paths.some((p) => (p.endsWith('/*') ? path.startsWith(p.slice(0, -1)) : path === p.split('?')[0]))) this.cached.delete(key);
    }
  }

  private authError(req: RecordedRequest): [string, string] | null {
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (!match) return ['AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing or malformed."];
    const expires = this.tokens.get(match[1]!);
    if (expires === undefined) return ['InvalidAuthenticationToken', 'The access token is invalid.'];
    return expires < Date.now() ? ['ExpiredAuthenticationToken', 'The access token expiry has passed.'] : null;
  }

  private token(req: RecordedRequest, res: ServerResponse): void {
    this.tokenRequests += 1;
    if (!/^application\/x-www-form-urlencoded\b/.test(req.headers['content-type'] ?? '')) {
      return aadError(res, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    }
    const form = new URLSearchParams(req.body);
    if (form.get('grant_type') !== 'client_credentials') return aadError(res, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    if (form.get('client_id') !== this.o.clientId) return aadError(res, 400, 'unauthorized_client', 700016, 'Application not found in the directory.');
    if (form.get('client_secret') !== this.o.clientSecret) return aadError(res, 401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    if (form.get('scope') !== 'https://management.azure.com/.default') {
      return aadError(res, 400, 'invalid_scope', 1002012, 'Client credential flows must have a scope value with /.default suffixed to the resource identifier.');
    }
    const lifetime = this.o.tokenLifetimeSeconds ?? 3599;
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, Date.now() + lifetime * 1000);
    sendJson(res, 200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: token });
  }
}

function armError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

function aadError(res: ServerResponse, status: number, error: string, code: number, description: string): void {
  sendJson(res, status, { error, error_description: `AADSTS${code}: ${description}`, error_codes: [code], timestamp: new Date().toISOString() });
}
