import fc from 'fast-check';
import { NASTY_NAMES, nastyString, wrongTypeValue } from './nasty-values';

/** The subset of JSON Schema (OpenAPI 3.1) the service's documents use. */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
}

/**
 * Values that mean something to the service, by the property name they go in: real tables, seeded
 * ids, selects that parse. Without them nearly every generated request would stop at the first
 * lookup and the code behind it would never run.
 */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

/** A marker JSON.stringify keeps as a string, swapped for `levels` of nesting in the final text. */
export const deepMarker = (levels: number, kind: 'object' | 'array') => `__fuzz_deep_${levels}_${kind}__`;
export const DEEP_MARKER = /"__fuzz_deep_(\d+)_(object|array)__"/g;

export class SchemaArbitraries {
  constructor(
    private readonly components: Record<string, Schema>,
    private readonly hints: Hints,
  ) {}

  resolve(schema: Schema): Schema {
    let s = schema;
    for (let i = 0; s.$ref && i < 20; i++) s = this.components[s.$ref.replace('#/components/schemas/', '')] ?? {};
    return s;
  }

  /** Values the schema accepts (as far as the schema can say: the service checks more). */
  valid(schema: Schema, name = '', depth = 0): fc.Arbitrary<unknown> {
    const hint = this.hints[name];
    if (hint) return hint;
    const s = this.resolve(schema);
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    const alternatives = s.oneOf ?? s.anyOf;
    if (alternatives && !s.type && !s.properties) return fc.oneof(...alternatives.map((a) => this.valid({ ...a }, name, depth)));
    if (s.allOf) return this.valid(Object.assign({}, ...s.allOf.map((a) => this.resolve(a))), name, depth);
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : s.properties ? ['object'] : [];
    if (types.length > 1) return fc.oneof(...types.map((type) => this.valid({ ...s, type }, name, depth)));
    switch (types[0]) {
      case 'string':
        return this.string(s);
      case 'integer':
        return fc.integer({ min: bound(s.minimum, s.exclusiveMinimum, 1, -1_000), max: bound(s.maximum, s.exclusiveMaximum, -1, 1_000_000) });
      case 'number':
        return fc.double({ min: bound(s.minimum, s.exclusiveMinimum, 1e-9, -1e6), max: bound(s.maximum, s.exclusiveMaximum, -1e-9, 1e6), noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        return fc.array(this.valid(s.items ?? {}, singular(name), depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 4, 4)) });
      case 'object':
        return this.object(s, depth);
      default:
        return depth > 2 ? fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean()) : fc.jsonValue({ maxDepth: 2 });
    }
  }

  private string(s: Schema): fc.Arbitrary<string> {
    if (s.format === 'uuid') return fc.uuid();
    if (s.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    if (s.format === 'binary') return fc.string({ maxLength: 50 });
    if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length <= (s.maxLength ?? 10_000) && v.length >= (s.minLength ?? 0));
    return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 30, 30) });
  }

  private object(s: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
    const properties = s.properties ?? {};
    const required = new Set(s.required ?? []);
    const model = Object.fromEntries(Object.entries(properties).map(([key, sub]) => [key, this.valid(sub, key, depth + 1)]));
    const known = fc.record(model, { requiredKeys: [...required].filter((k) => k in model) });
    const extra = s.additionalProperties;
    if (extra === undefined || extra === false || Object.keys(properties).length > 0) return known;
    const values = extra === true ? {} : extra;
    const keys = this.hints['$column'] ? (this.hints['$column'] as fc.Arbitrary<string>) : fc.string({ minLength: 1, maxLength: 12 });
    return fc.dictionary(keys, this.valid(values, '', depth + 1), { maxKeys: 3 });
  }

  /**
   * A schema-valid value with one thing wrong: a field removed, one added, one of the wrong type,
   * text PostgreSQL or JavaScript cannot store, a name aimed at SQL, nesting too deep, an array too long.
   */
  mutated(schema: Schema): fc.Arbitrary<unknown> {
    return this.valid(schema).chain((value) => {
      const places = nodes(value);
      return fc.tuple(fc.constantFrom(...places), mutation()).map(([place, change]) => change(value, place));
    });
  }
}

type Path = Array<string | number>;
type Change = (root: unknown, path: Path) => unknown;

function mutation(): fc.Arbitrary<Change> {
  return fc.oneof(
    nastyString().map((text): Change => (root, path) => replaceAt(root, path, text)),
    wrongTypeValue().map((wrong): Change => (root, path) => replaceAt(root, path, wrong)),
    fc.constant<Change>((root, path) => removeAt(root, path)),
    fc.tuple(fc.oneof(fc.constantFrom(...NASTY_NAMES), fc.string({ maxLength: 10 })), fc.oneof(nastyString(), wrongTypeValue())).map(
      ([key, extra]): Change => (root, path) => addFieldAt(root, path, key, extra),
    ),
    fc.constantFrom(...NASTY_NAMES).map((key): Change => (root, path) => renameAt(root, path, key)),
    fc.tuple(fc.constantFrom(33, 200, 10_000), fc.constantFrom<'object' | 'array'>('object', 'array')).map(
      ([levels, kind]): Change => (root, path) => replaceAt(root, path, deepMarker(levels, kind)),
    ),
    fc.integer({ min: 101, max: 20_000 }).map((n): Change => (root, path) => replaceAt(root, path, Array.from({ length: n }, (_, i) => i))),
  );
}

/** Every node of a JSON value, the root included, as paths. */
function nodes(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => nodes(v, [...path, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) nodes(v, [...path, k], out);
  return out;
}

const clone = <T>(value: T): T => (value === undefined ? value : structuredClone(value));

function replaceAt(root: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = clone(root) as Record<string | number, unknown>;
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, copy);
  parent[path[path.length - 1]!] = replacement;
  return copy;
}

function removeAt(root: unknown, path: Path): unknown {
  if (path.length === 0) return undefined;
  const copy = clone(root) as Record<string | number, unknown>;
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, copy);
  if (Array.isArray(parent)) parent.splice(Number(path[path.length - 1]), 1);
  else delete parent[path[path.length - 1]!];
  return copy;
}

function addFieldAt(root: unknown, path: Path, key: string, value: unknown): unknown {
  const target = path.reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], root);
  if (target === null || typeof target !== 'object' || Array.isArray(target)) return replaceAt(root, path, { [key]: value });
  return replaceAt(root, path, { ...(target as object), [key]: value });
}

function renameAt(root: unknown, path: Path, name: string): unknown {
  const key = path[path.length - 1];
  if (typeof key !== 'string') return addFieldAt(root, path.slice(0, -1), name, null);
  const parentPath = path.slice(0, -1);
  const parent = parentPath.reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], root) as Record<string, unknown>;
  const renamed = Object.fromEntries(Object.entries(parent).map(([k, v]) => [k === key ? name : k, v]));
  return replaceAt(root, parentPath, renamed);
}

function bound(limit: number | undefined, exclusive: number | boolean | undefined, step: number, fallback: number): number {
  if (typeof exclusive === 'number') return exclusive + step;
  if (limit === undefined) return fallback;
  return exclusive === true ? limit + step : limit;
}

const singular = (name: string) => (name.endsWith('s') ? `${name.slice(0, -1)}[]` : `${name}[]`);

/** JSON text of a value, with deep markers expanded (JSON.stringify itself overflows on 10,000 levels). */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value) ?? '';
  return text.replace(DEEP_MARKER, (_m, levels: string, kind: 'object' | 'array') =>
    kind === 'object' ? `${'{"a":'.repeat(Number(levels))}1${'}'.repeat(Number(levels))}` : `${'['.repeat(Number(levels))}1${']'.repeat(Number(levels))}`,
  );
}
