import type { RequestHandler } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { ApiDocument } from '../openapi/api-document';
import type { RouteBuilder } from '../route-builder';
import { z } from '../openapi/zod';

export function openApiRoute(routes: RouteBuilder, doc: ApiDocument): void {
  routes.define({
    method: 'get',
    path: '/api/v1/openapi.json',
    tag: 'Docs',
    auth: 'none',
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: { description: 'OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
    handler: async () => ({ status: 200, body: doc.render() }),
  });
}

/** Swagger UI at /docs, reading the document above. */
export function swaggerUiHandlers(): RequestHandler[] {
  return [...swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/api/v1/openapi.json' } })];
}
