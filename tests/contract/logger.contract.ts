import type { Logger } from '../../src/application/ports/logger.port';

export interface LoggedEntry {
  level: 'info' | 'warn' | 'error';
  msg: string | undefined;
  /** The object's fields as the logger kept them. */
  fields: Record<string, unknown>;
}

export interface LoggerUnderTest {
  /** Logs at info and above. */
  logger: Logger;
  entries(): LoggedEntry[];
}

/**
 * What every Logger promises to the application: one entry per call, at the level called, with the
 * message and the object's fields, in call order; logging never throws (a log line must not fail
 * the work it describes) and never changes the object it was given.
 */
export function loggerContract(name: string, make: () => LoggerUnderTest): void {
  describe(`${name} (Logger contract)`, () => {
    it('keeps one entry per call, at its level, with message and fields, in call order', () => {
      const { logger, entries } = make();
      logger.info({ port: 8084 }, 'listening');
      logger.warn({ attempt: 2, key: 'users/u/a.txt' }, 'retrying');
      logger.error({ lost: 3, nested: { table: 'files' } }, 'recording failed');
      expect(entries()).toEqual([
        { level: 'info', msg: 'listening', fields: expect.objectContaining({ port: 8084 }) },
        { level: 'warn', msg: 'retrying', fields: expect.objectContaining({ attempt: 2, key: 'users/u/a.txt' }) },
        { level: 'error', msg: 'recording failed', fields: expect.objectContaining({ lost: 3, nested: { table: 'files' } }) },
      ]);
    });

    it('logs without a message', () => {
      const { logger, entries } = make();
      logger.warn({ only: 'fields' });
      expect(entries()).toEqual([{ level: 'warn', msg: undefined, fields: expect.objectContaining({ only: 'fields' }) }]);
    });

    it('never throws, whatever the object holds: an error, a circular reference, undefined', () => {
      const { logger, entries } = make();
      const circular: Record<string, unknown> = { name: 'loop' };
      circular.self = circular;
      expect(() => logger.error({ err: new Error('boom') }, 'with an error')).not.toThrow();
      expect(() => logger.warn({ circular }, 'with a cycle')).not.toThrow();
      expect(() => logger.info({ missing: undefined, big: 10n ** 30n }, 'with odd values')).not.toThrow();
      expect(entries().map((e) => e.msg)).toEqual(['with an error', 'with a cycle', 'with odd values']);
    });

    it('leaves the object it was given as it was', () => {
      const { logger } = make();
      const obj = { password: 'p', user: { token: 't' }, url: 'postgresql://app:pw@db/x', err: new Error('e') };
      const before = { ...obj, user: { ...obj.user } };
      logger.error(obj, 'unchanged');
      expect(obj).toEqual(before);
      expect(obj.err).toBe(before.err);
    });
  });
}
