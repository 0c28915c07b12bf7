import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';

/** Collects every route's schemas as routes are defined, and renders the OpenAPI 3.1 document. */
export class ApiDocument {
  readonly registry = new OpenAPIRegistry();
  private cached: object | undefined;

  constructor(private readonly info: { title: string; version: string; description: string }) {
    this.registry.registerComponent('securitySchemes', 'bearerAuth', {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'HS256 with JWT_SECRET, or RS256/ES256 keys from JWKS_URL',
    });
  }

  render(): object {
    this.cached ??= new OpenApiGeneratorV31(this.registry.definitions).generateDocument({
      openapi: '3.1.0',
      info: this.info,
      servers: [{ url: '/' }],
    });
    return this.cached;
  }
}
