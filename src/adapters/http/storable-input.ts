import { ValidationFailed, type ValidationIssue } from '../../domain/shared/errors';

/**
 * How deep a JSON value from a client may nest objects and arrays, counting the value itself (a
 * request body `{}` is 1 level). Deeper values are refused before anything walks them recursively:
 * zod, JSON.stringify and PostgreSQL's JSONB would otherwise overflow the stack or refuse them late.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Text PostgreSQL cannot hold: NUL (refused by text and JSONB alike) and an unpaired UTF-16
 * surrogate (not a Unicode character; JSONB refuses its escape). With the `u` flag a well-formed
 * pair is one code point, so only lone halves match.
 */
const UNSTORABLE = /[\u0000\p{Surrogate}]/u;

/** What is wrong with `text`, or null when it can be stored. */
export function unstorableText(text: string): string | null {
  const found = UNSTORABLE.exec(text);
  if (!found) return null;
  return found[0] === '\u0000' ? 'contains a NUL character (U+0000)' : 'contains an unpaired UTF-16 surrogate (not valid Unicode)';
}

/**
 * The first part of a parsed JSON value (or query object) that cannot be stored: a string or key
 * with unstorable text, or nesting over `maxDepth`. Iterative, so a value nested 10,000 levels deep
 * is answered, not a stack overflow. `root` names the value in the issue path (`body`, `query`).
 */
export function findUnstorable(value: unknown, root: string, maxDepth = MAX_JSON_DEPTH): ValidationIssue | null {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, path, depth } = pending.pop()!;
    if (typeof current === 'string') {
      const problem = unstorableText(current);
      if (problem) return { path, message: problem };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > maxDepth) return { path, message: `nests objects and arrays deeper than ${maxDepth} levels` };
    for (const [key, child] of Object.entries(current)) {
      const problem = unstorableText(key);
      if (problem) return { path: `${path}.${printable(key)}`, message: `key ${problem}` };
      pending.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return null;
}

/** Throws 400 VALIDATION_ERROR naming the offending field when `value` cannot be stored. */
export function assertStorable(value: unknown, root: string, maxDepth = MAX_JSON_DEPTH): void {
  const issue = findUnstorable(value, root, maxDepth);
  if (issue) throw new ValidationFailed(`Invalid input at ${issue.path}: ${issue.message}`, [issue]);
}

/** A key as it can be echoed in an error body: its unstorable characters replaced. */
function printable(key: string): string {
  return key.replace(/[\u0000\p{Surrogate}]/gu, '\uFFFD');
}
