import type { ObjectReferences } from '../../../application/ports/object-references.port';

/** The unit tests' references: keys some row refers to, and upload sessions with their expiry. */
export class InMemoryObjectReferences implements ObjectReferences {
  private readonly keys = new Set<string>();
  private readonly uploads = new Map<string, Date>();

  refer(...keys: string[]): this {
    for (const key of keys) this.keys.add(key);
    return this;
  }

  forget(key: string): void {
    this.keys.delete(key);
  }

  /** A live upload session staging `uploadId` until `expiresAt`. */
  upload(uploadId: string, expiresAt: Date): this {
    this.uploads.set(uploadId, expiresAt);
    return this;
  }

  async referenced(keys: readonly string[]): Promise<Set<string>> {
    return new Set(keys.filter((key) => this.keys.has(key)));
  }

  async liveUploadIds(now: Date): Promise<string[]> {
    return [...this.uploads].filter(([, expiresAt]) => expiresAt.getTime() > now.getTime()).map(([id]) => id);
  }
}
