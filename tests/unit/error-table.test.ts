import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { statusForCode, statusTable } from '../../src/adapters/http/error-mapper';
import { DomainError } from '../../src/domain/shared/domain-error';
import { FileNotFound } from '../../src/domain/storage/errors';

/**
 * The compiler holds the codes and the table together (`satisfies Record<ErrorCode, number>`); this
 * holds the classes that exist at run time, the table and the README's error table together, so a
 * new failure cannot ship without a status a client can read about.
 */

const ROOT = join(__dirname, '..', '..');
/** Every module that may define a domain failure, plus the HTTP edge's own. */
const ERROR_HOMES = ['src/domain', 'src/application', 'src/adapters/http/errors'];
/** A 500 says "our fault"; these say it on purpose. */
const INTENDED_500 = new Set(['INTERNAL_ERROR', 'MIGRATION_FAILED']);
/**
 * Classes whose code is given by whoever throws them; the compiler restricts it to the mapped codes
 * (WriteRejection, DomainErrorCode), so the walk checks the codes they may carry instead.
 */
const CODE_FROM_CALLER: Record<string, string[]> = {
  WriteRejected: ['INVALID_DATA', 'CONFLICT', 'PARENT_NOT_FOUND', 'TRANSACTION_ABORTED'],
  TransactionFailed: [], // a cause's code, which is a DomainError's code walked here itself
};
const PROBE = 'PROBE_MESSAGE';

type ErrorClass = abstract new (...args: never[]) => DomainError<string>;

function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === 'function' && value.prototype instanceof DomainError;
}

function errorClasses(): Array<{ module: string; name: string; type: ErrorClass }> {
  const found: Array<{ module: string; name: string; type: ErrorClass }> = [];
  for (const home of ERROR_HOMES) {
    const files = readdirSync(join(ROOT, home), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    for (const file of files) {
      const path = join(ROOT, home, file);
      const exports: Record<string, unknown> = require(path);
      for (const [name, value] of Object.entries(exports)) {
        if (isErrorClass(value)) found.push({ module: relative(ROOT, path), name, type: value });
      }
    }
  }
  return found;
}

/** `| 404 | `A` / `B` | when |` rows of README's "Error codes" table; "—" rows name their status as "mapped to NNN". */
function documentedStatuses(): Map<string, Set<number>> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('### Error codes')[1]?.split(/\n## /)[0] ?? '';
  const statuses = new Map<string, Set<number>>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5 || !cells[2]?.includes('`')) continue;
    const status = /^\d{3}$/.test(cells[1] ?? '') ? Number(cells[1]) : Number(/mapped to (\d{3})/.exec(cells[3] ?? '')?.[1]);
    for (const [, code] of (cells[2] ?? '').matchAll(/`([A-Z_]+)`/g)) {
      if (code) statuses.set(code, new Set([...(statuses.get(code) ?? []), status]));
    }
  }
  return statuses;
}

describe('error codes, their HTTP status and the README', () => {
  const classes = errorClasses();
  const readme = documentedStatuses();

  it('finds the failures and the documented codes (so the checks below are not vacuous)', () => {
    expect(classes.map((c) => c.name)).toEqual(expect.arrayContaining(['FileNotFound', 'LeaseNotFound', 'MigrationFailed', 'WriteRejected', 'MalformedJson']));
    expect(readme.get('FILE_NOT_FOUND')).toEqual(new Set([404]));
    expect(readme.get('CDN_SYNC_FAILED')).toEqual(new Set([502]));
  });

  it('gives each code a literal type', () => {
    const code: 'FILE_NOT_FOUND' = new FileNotFound('x').code;
    expect(code).toBe('FILE_NOT_FOUND');
  });

  it.each(errorClasses().map((c) => [`${c.name} (${c.module})`, c] as const))('%s has a documented status', (_, { name, type }) => {
    const instance: DomainError<string> = Reflect.construct(type, [PROBE, {}]);
    const fromCaller = CODE_FROM_CALLER[name];
    // A code equal to an argument came from the caller: such a class must be listed above.
    if (instance.code === PROBE) expect(fromCaller).toBeDefined();
    const codes = fromCaller ?? [instance.code];
    for (const code of codes) {
      const status = statusForCode(code);
      expect({ code, status }).toEqual({ code, status: expect.any(Number) });
      expect({ code, documented: [...(readme.get(code) ?? [])] }).toEqual({ code, documented: [status] });
      if (!INTENDED_500.has(code)) expect({ code, status }).not.toEqual({ code, status: 500 });
    }
  });

  it('documents every code of the table with its status, and no code the table does not map', () => {
    const table = new Map(statusTable());
    for (const [code, status] of table) expect({ code, documented: [...(readme.get(code) ?? [])] }).toEqual({ code, documented: [status] });
    expect([...readme.keys()].filter((code) => !table.has(code))).toEqual([]);
  });
});
