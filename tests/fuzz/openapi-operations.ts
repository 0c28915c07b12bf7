import type { Schema } from './schema-arbitrary';

/** One operation of the OpenAPI document, as the fuzz needs it. */
export interface Operation {
  method: string;
  /** The templated path, `/api/v1/storage/files/{file_id}`. */
  path: string;
  id: string;
  parameters: Array<{ name: string; in: 'path' | 'query' | 'header' | 'cookie'; required: boolean; schema: Schema }>;
  /** The first media type of the request body, and its schema. */
  body?: { mediaType: string; schema: Schema; required: boolean };
  secured: boolean;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Schema> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    const shared = (item['parameters'] as Operation['parameters'] | undefined) ?? [];
    for (const method of METHODS) {
      const op = item[method] as
        | { parameters?: Operation['parameters']; requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> }; security?: unknown[] }
        | undefined;
      if (!op) continue;
      const content = Object.entries(op.requestBody?.content ?? {});
      operations.push({
        method: method.toUpperCase(),
        path,
        id: `${method.toUpperCase()} ${path}`,
        parameters: [...shared, ...(op.parameters ?? [])].map((p) => ({ ...p, required: p.required ?? p.in === 'path', schema: p.schema ?? {} })),
        body: content.length ? { mediaType: content[0]![0], schema: content[0]![1].schema ?? {}, required: op.requestBody?.required ?? false } : undefined,
        secured: Array.isArray(op.security) && op.security.length > 0,
      });
    }
  }
  return operations;
}
