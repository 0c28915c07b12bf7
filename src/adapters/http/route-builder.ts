import { Router, type RequestHandler, type Response } from 'express';
import type { ZodType } from 'zod';
import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { Caller, Role } from '../../domain/auth/caller';
import { ValidationFailed } from '../../domain/shared/errors';
import { Unauthenticated } from '../../domain/shared/errors';
import { MethodNotAllowed } from './errors/http-errors';
import { ErrorBodySchema } from './openapi/error-schema';
import type { ApiDocument } from './openapi/api-document';
import { requireRole } from './middleware/auth';
import { requireJsonBody } from './middleware/content-negotiation';
import type { RouteAuditor, RouteAuditSpec } from './route-audit';

type Method = 'get' | 'head' | 'options' | 'post' | 'put' | 'patch' | 'delete';
/** `optional`: anonymous callers pass; a token, if sent, must be valid (public files). */
export type RouteAuth = 'none' | 'optional' | Role;
type Anonymous = 'none' | 'optional';

export interface HttpResult {
  status: number;
  body?: unknown;
  /** A body already serialized as JSON, sent as is (as `res.json` would send `body`). */
  json?: string;
  headers?: Record<string, string>;
}

export interface RouteContext<Authenticated extends boolean> {
  caller: Authenticated extends true ? Caller : Caller | undefined;
  requestId: string;
  /** For the few routes that must write the response themselves (metrics text, redirects). */
  res: Response;
}

interface ResponseSpec {
  description: string;
  schema?: ZodType;
  contentType?: string;
}

export interface RouteSpec<B, Q, P, A extends RouteAuth> {
  method: Method;
  /** Express syntax (`/runs/:id`); rendered as `{id}` in the OpenAPI document. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  auth: A;
  /** Anonymous routes are limited per IP (RATE_LIMIT_ANONYMOUS) unless this is false (health probes). */
  rateLimit?: boolean;
  /**
   * Whether the route changes stored data, so is refused (503 MAINTENANCE) while an in-place restore
   * runs. Defaults to true for POST/PUT/PATCH/DELETE; a POST that only reads says false.
   */
  writes?: boolean;
  /** A route that receives an upload body: counted against the caller's MAX_CONCURRENT_UPLOADS. */
  uploadSlot?: boolean;
  /**
   * For a route whose request names a connection lease: where its connection_id is (raw, before
   * validation). A lease held by another instance has the request forwarded there, after
   * authentication and before anything else, so the holder rate-limits, serves and audits it once.
   */
  lease?: (request: { body: unknown; params: Record<string, string> }) => unknown;
  body?: ZodType<B>;
  /** Documents a multipart/form-data body (read by the handler itself); no JSON body check is added. */
  multipartBody?: ZodType;
  query?: ZodType<Q>;
  params?: ZodType<P>;
  responses: Record<number, ResponseSpec>;
  /** Records the action in the audit trail after the handler: success, or the error code it failed with. */
  audit?: RouteAuditSpec<{ body: B; query: Q; params: P }>;
  handler: (input: { body: B; query: Q; params: P }, ctx: RouteContext<A extends Anonymous ? false : true>) => Promise<HttpResult | void>;
}

export interface RouteGuards {
  authenticate: RequestHandler;
  rateLimit: RequestHandler;
  /** Takes one of the caller's upload slots (routes with `uploadSlot`); absent: no limit. */
  uploadSlot?: RequestHandler;
  /** Audit hooks (routes with `audit`; refused attempts on admin routes); absent: nothing audited. */
  audit?: RouteAuditor;
  /** Put before every route that writes (see RouteSpec.writes): the maintenance window's refusal. */
  refuseWrites?: RequestHandler;
  /** Routes with `lease`: forwards a request whose lease another instance holds; absent: served here. */
  forwardLease?: (leaseIdOf: NonNullable<RouteSpec<unknown, unknown, unknown, RouteAuth>['lease']>) => RequestHandler;
}

const READ_METHODS: ReadonlySet<Method> = new Set(['get', 'head', 'options']);

function writes(spec: { method: Method; writes?: boolean }): boolean {
  return spec.writes ?? !READ_METHODS.has(spec.method);
}

/**
 * Defines each endpoint once: the Express route with its auth, rate limit and validation, and the
 * OpenAPI entry generated from the same zod schemas, so documentation cannot drift from behaviour.
 */
export class RouteBuilder {
  readonly router = Router();
  private readonly methodsByPath = new Map<string, Set<string>>();

  constructor(
    private readonly doc: ApiDocument,
    private readonly guards: RouteGuards,
  ) {}

  define<B = undefined, Q = undefined, P = undefined, A extends RouteAuth = 'none'>(spec: RouteSpec<B, Q, P, A>): void {
    this.document(spec);
    const chain: RequestHandler[] = [];
    chain.push((_req, res, next) => {
      res.locals.routeTemplate = spec.path;
      next();
    });
    if (spec.auth === 'optional') chain.push(this.optionalAuthentication, this.guards.rateLimit);
    else if (spec.auth !== 'none') {
      chain.push(this.guards.authenticate, requireRole(spec.auth as Role));
      if (spec.lease && this.guards.forwardLease) chain.push(this.guards.forwardLease(spec.lease));
      chain.push(this.guards.rateLimit);
    } else if (spec.rateLimit !== false) chain.push(this.guards.rateLimit);
    if (this.guards.refuseWrites && writes(spec)) chain.push(this.guards.refuseWrites);
    if (spec.uploadSlot && this.guards.uploadSlot) chain.push(this.guards.uploadSlot);
    if (spec.body) chain.push(requireJsonBody());
    chain.push(async (req, res, next) => {
      let input: { body: B; query: Q; params: P } | undefined;
      try {
        input = {
          body: parse(spec.body, req.body ?? {}, 'body'),
          query: parse(spec.query, req.query, 'query'),
          params: parse(spec.params, req.params, 'params'),
        } as { body: B; query: Q; params: P };
        if (spec.auth !== 'none' && spec.auth !== 'optional' && !res.locals.caller) throw new Unauthenticated('Missing bearer token');
        const ctx = { caller: res.locals.caller, requestId: res.locals.requestId, res } as RouteContext<A extends Anonymous ? false : true>;
        const result = await spec.handler(input, ctx);
        if (spec.audit && this.guards.audit) await this.guards.audit.performed(spec.audit, input, { body: result?.body });
        if (result && !res.headersSent) {
          for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
          if (result.json !== undefined) {
            if (!res.get('Content-Type')) res.setHeader('Content-Type', 'application/json');
            res.status(result.status).send(result.json);
          } else if (result.body === undefined) res.status(result.status).end();
          else res.status(result.status).json(result.body);
        }
      } catch (error) {
        if (spec.audit && this.guards.audit && input) await this.guards.audit.performed(spec.audit, input, { error });
        next(error);
      }
    });
    const refusals = this.guards.audit ? [this.guards.audit.refusalRecorder(spec.auth === 'admin')] : [];
    this.router[spec.method](spec.path, ...chain, ...refusals);
    const methods = this.methodsByPath.get(spec.path) ?? new Set<string>();
    methods.add(spec.method.toUpperCase());
    this.methodsByPath.set(spec.path, methods);
  }

  /** After every route: a known path asked with another method answers 405 with its Allow list. */
  finish(): Router {
    for (const [path, methods] of this.methodsByPath) {
      const allow = [...new Set([...methods, ...(methods.has('GET') ? ['HEAD'] : [])])].join(', ');
      this.router.all(path, (req, res, next) => {
        res.setHeader('Allow', allow);
        next(new MethodNotAllowed(`${req.method} is not allowed here`, { allowed_methods: allow.split(', ') }));
      });
    }
    return this.router;
  }

  private readonly optionalAuthentication: RequestHandler = (req, res, next) =>
    req.get('authorization') ? this.guards.authenticate(req, res, next) : next();

  private document<B, Q, P, A extends RouteAuth>(spec: RouteSpec<B, Q, P, A>): void {
    const responses: Record<string, ResponseConfig> = {};
    for (const [status, response] of Object.entries(spec.responses)) {
      responses[status] = response.schema
        ? { description: response.description, content: { [response.contentType ?? 'application/json']: { schema: response.schema } } }
        : { description: response.description };
    }
    const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBodySchema } } });
    if (spec.body || spec.query || spec.params) responses['400'] ??= errorResponse('Invalid request');
    if (spec.auth === 'optional') responses['401'] ??= errorResponse('A token was sent but is malformed, expired or forged');
    else if (spec.auth !== 'none') {
      responses['401'] ??= errorResponse('Missing, malformed, expired or forged token');
      responses['403'] ??= errorResponse('The caller lacks the required role');
    }
    if (spec.uploadSlot) responses['429'] ??= errorResponse('RATE_LIMIT_EXCEEDED, or UPLOAD_LIMIT_EXCEEDED: MAX_CONCURRENT_UPLOADS in flight; see Retry-After');
    if (spec.auth !== 'none' || spec.rateLimit !== false) responses['429'] ??= errorResponse('Rate limit exceeded; see Retry-After');
    if (writes(spec)) responses['503'] ??= errorResponse('MAINTENANCE: an in-place database restore is running; retry after Retry-After (reads go on)');
    responses['500'] ??= errorResponse('Unexpected error (no internals disclosed)');
    this.doc.registry.registerPath({
      method: spec.method,
      path: spec.path.replace(/:([A-Za-z_]+)/g, '{$1}'),
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [spec.tag],
      ...(spec.auth === 'optional' ? { security: [{ bearerAuth: [] }, {}] } : spec.auth !== 'none' ? { security: [{ bearerAuth: [] }] } : {}),
      request: {
        ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } } } } : {}),
        ...(spec.multipartBody ? { body: { content: { 'multipart/form-data': { schema: spec.multipartBody } } } } : {}),
        ...(spec.query ? { query: spec.query as never } : {}),
        ...(spec.params ? { params: spec.params as never } : {}),
      },
      responses,
    });
  }
}

function parse<T>(schema: ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationFailed(
    `Invalid request ${where}`,
    result.error.issues.map((issue) => ({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message })),
  );
}
