/** What must be closed at shutdown, closed in reverse order of opening. */
export class Lifecycle {
  private readonly closers: Array<{ name: string; close: () => Promise<void> }> = [];
  private stopping = false;

  /** True from the first shutdown signal on: /health/ready then answers 503 shutting_down. */
  get shuttingDown(): boolean {
    return this.stopping;
  }

  /** Called as soon as a shutdown starts, before the servers stop accepting. */
  beginShutdown(): void {
    this.stopping = true;
  }

  onClose(name: string, close: () => Promise<void>): void {
    this.closers.push({ name, close });
  }

  async close(report: (name: string, error: unknown) => void = () => undefined): Promise<void> {
    this.stopping = true;
    while (this.closers.length > 0) {
      const closer = this.closers.pop()!;
      await closer.close().catch((error: unknown) => report(closer.name, error));
    }
  }
}
