import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from '../../application/ports/logger.port';
import { corsPolicy, type CorsOrigins } from './middleware/cors';
import { handleErrors, notFound } from './middleware/error-handler';
import { bodyIdleTimeout } from './middleware/body-idle-timeout';
import { negotiateContent } from './middleware/content-negotiation';
import { parseJsonBody } from './middleware/json-body';
import { logRequests, type RequestObserver } from './middleware/request-logger';
import { requestId } from './middleware/request-id';
import { rejectUnstorableInput } from './middleware/storable-input';
import type { RouteBuilder } from './route-builder';

export interface AppOptions {
  serviceName: string;
  bodyLimitBytes: number;
  /** HTTP_BODY_IDLE_TIMEOUT_MS: a body with no byte for this long answers 408 (0: never). Default 60 s. */
  bodyIdleTimeoutMs?: number;
  logger: Logger;
  observer: RequestObserver;
  /** The defined API (routes + OpenAPI); mounted after the common middleware. */
  routes: RouteBuilder;
  /** Origins browsers may call the API from (CORS_ORIGINS); none by default: no CORS headers. */
  corsOrigins?: CorsOrigins;
  /** Routes that are not JSON endpoints (Swagger UI), mounted as is. */
  extra?: Array<{ path: string; handlers: RequestHandler[] }>;
}

const DEFAULT_BODY_IDLE_TIMEOUT_MS = 60_000;

export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // API answers are per caller and rarely repeated verbatim; hashing every body for an ETag costs more than it saves.
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  app.use(requestId());
  app.use(logRequests(options.logger, options.observer));
  for (const handler of corsPolicy(options.corsOrigins ?? [])) app.use(handler);
  app.use(bodyIdleTimeout(options.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS, options.serviceName));
  app.use(negotiateContent());
  app.use(parseJsonBody(options.bodyLimitBytes));
  app.use(rejectUnstorableInput());
  for (const { path, handlers } of options.extra ?? []) app.use(path, ...handlers);
  app.use(options.routes.finish());
  app.use(notFound());
  app.use(handleErrors(options.logger, options.serviceName));
  return app;
}
