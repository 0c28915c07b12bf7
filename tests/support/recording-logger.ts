import type { Logger } from '../../src/application/ports/logger.port';

/** Collects what was logged, for the few tests that assert on it. */
export class RecordingLogger implements Logger {
  readonly entries: Array<{ level: 'info' | 'warn' | 'error'; obj: object; msg: string | undefined }> = [];
  info(obj: object, msg?: string): void {
    this.entries.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg?: string): void {
    this.entries.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg?: string): void {
    this.entries.push({ level: 'error', obj, msg });
  }
}
