/** What must be closed at shutdown, closed in reverse order of opening. */
export class Lifecycle {
  private readonly closers: Array<{ name: string; close: () => Promise<void> }> = [];

  onClose(name: string, close: () => Promise<void>): void {
    this.closers.push({ name, close });
  }

  async close(report: (name: string, error: unknown) => void = () => undefined): Promise<void> {
    while (this.closers.length > 0) {
      const closer = this.closers.pop()!;
      await closer.close().catch((error: unknown) => report(closer.name, error));
    }
  }
}
