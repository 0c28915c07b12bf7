import pino, { type Logger as PinoLogger } from 'pino';
import { requestContext } from '../adapters/http/request-context';

/**
 * Connection-string passwords, bearer tokens and bare JWTs, wherever they appear in a string. The
 * password runs to the last "@" of the authority, as URL parsers read an unencoded "@" in it.
 */
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^\s/?#]+@/gi, '$1***@'],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1[REDACTED]'],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[REDACTED_JWT]'],
];

/** Fields whose value is a secret whatever it looks like (password, DB_PASSWORD, jwtSecret, ...). */
const SECRET_KEY = /pass(word|wd)|secret|token|authorization|cookie|api[-_]?key|encryption[-_]?key|credential/i;

export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((s, [pattern, replacement]) => s.replace(pattern, replacement), text);
}

function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { type: value.name, message: scrubSecrets(value.message), stack: value.stack && scrubSecrets(value.stack) };
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[REDACTED]' : scrubDeep(v, depth + 1)]));
}

/**
 * JSON lines via pino. Secret fields are censored at any depth and strings are scrubbed for
 * connection-string passwords and tokens; every line written while serving a request carries its id.
 */
export function createLogger(options: { level: string; service: string; destination?: pino.DestinationStream }): PinoLogger {
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin() {
        const context = requestContext.getStore();
        return context ? { request_id: context.requestId } : {};
      },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrubDeep(object) as Record<string, unknown>,
      },
      // scrubDeep has already turned errors into { type, message, stack }; pino's own serializer would
      // re-type that plain object as "Object".
      serializers: { err: (err: unknown) => err },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
}
