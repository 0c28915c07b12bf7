import type { Logger as PinoLogger } from 'pino';
import { createLogger } from '../../src/infrastructure/logger';

export interface CapturingLogger {
  /** The service's real logger (redaction and all), writing into `raw` instead of stdout. */
  logger: PinoLogger;
  /** Every line exactly as it would reach stdout. */
  raw: string[];
  /** The same lines, parsed. */
  lines(): Array<Record<string, unknown>>;
}

export function capturingLogger(level = 'info'): CapturingLogger {
  const raw: string[] = [];
  const logger = createLogger({ level, service: 'visiobook-data-platform', destination: { write: (line: string) => void raw.push(line) } });
  return { logger, raw, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
