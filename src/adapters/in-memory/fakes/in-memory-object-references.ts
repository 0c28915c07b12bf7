import type { ObjectReferences } from '../../../application/ports/object-references.port';

/** The sidecar a completion that encrypts writes beside a session's object (as the tables know it). */
const ENCRYPTED_SIDECAR = '.vbse';

/**
 * The unit tests' references: keys some row refers to, and upload sessions with their expiry (and,
 * when given, the object key they complete into). Passes the same contract suite as the tables.
 */
export class InMemoryObjectReferences implements ObjectReferences {
  private readonly keys = new Set<string>();
  private readonly uploads = new Map<string, { expiresAt: Date; objectKey: string | null }>();

  refer(...keys: string[]): this {
    for (const key of keys) this.keys.add(key);
    return this;
  }

  forget(key: string): void {
    this.keys.delete(key);
  }

  /** A live upload session staging `uploadId` until `expiresAt`, completing into `objectKey`. */
  upload(uploadId: string, expiresAt: Date, objectKey: string | null = null): this {
    this.uploads.set(uploadId, { expiresAt, objectKey });
    return this;
  }

  async referenced(keys: readonly string[], now: Date): Promise<Set<string>> {
    const sessions = new Set<string>();
    for (const { expiresAt, objectKey } of this.uploads.values()) {
      if (objectKey === null || expiresAt.getTime() <= now.getTime()) continue;
      sessions.add(objectKey).add(`${objectKey}${ENCRYPTED_SIDECAR}`);
    }
    return new Set(keys.filter((key) => this.keys.has(key) || sessions.has(key)));
  }

  async liveUploadIds(now: Date): Promise<string[]> {
    return [...this.uploads].filter(([, { expiresAt }]) => expiresAt.getTime() > now.getTime()).map(([id]) => id);
  }
}
