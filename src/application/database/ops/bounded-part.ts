import { DomainError } from '../../../domain/shared/domain-error';
import type { Logger } from '../../ports/logger.port';

/** A part of an operations report: its facts, or why they could not be read. */
export type Part<T> = ({ available: true } & T) | { available: false; reason: string };

/**
 * Reads one part, bounded by `timeoutMs` like a health probe, so one slow or failing view cannot
 * hold or fail the whole report. Only domain errors' messages reach the answer: a driver's message
 * may name hosts or roles, so it goes to the log and the answer says where to look.
 */
export async function boundedPart<T extends object>(name: string, read: () => Promise<T>, timeoutMs: number, logger: Logger): Promise<Part<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Part<T>>((resolve) => {
    timer = setTimeout(() => resolve({ available: false, reason: `no answer within ${timeoutMs}ms` }), timeoutMs);
  });
  const attempt = read().then(
    (facts): Part<T> => ({ available: true, ...facts }),
    (error: unknown): Part<T> => {
      if (error instanceof DomainError) return { available: false, reason: error.message };
      logger.warn({ part: name, err: { message: (error as Error)?.message, code: (error as { code?: string })?.code } }, 'database status part could not be read');
      return { available: false, reason: 'could not be read (see the service log)' };
    },
  );
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
