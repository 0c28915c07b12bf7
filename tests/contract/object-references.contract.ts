import { randomUUID } from 'node:crypto';
import type { ObjectReferences } from '../../src/application/ports/object-references.port';

export interface ReferencesUnderTest {
  references: ObjectReferences;
  /** A files row whose object is `key` (trashed when asked). */
  fileAt(key: string, options?: { trashed?: boolean }): Promise<void>;
  /** A rendition whose object is `key`. */
  renditionAt(key: string): Promise<void>;
  /** A database backup whose archive is `key`. */
  backupAt(key: string): Promise<void>;
  /** An upload session (not completed) staging `uploadId`, completing into `objectKey`, live until `expiresAt`. */
  session(uploadId: string, objectKey: string, expiresAt: Date): Promise<void>;
  close?(): Promise<void>;
}

const HOUR = 3_600_000;

/**
 * What the orphan sweep asks before removing anything: which keys something refers to (file rows,
 * trashed ones too; renditions; backup archives; live sessions' objects and their encrypted
 * sidecar), and which staged uploads are live. A wrong "no" loses data, so every source is asked.
 */
export function objectReferencesContract(name: string, make: () => Promise<ReferencesUnderTest>): void {
  describe(`${name} (ObjectReferences contract)`, () => {
    let world: ReferencesUnderTest;
    const now = new Date();
    beforeEach(async () => {
      world = await make();
    });
    afterEach(async () => {
      await world.close?.();
    });

    const key = (what: string) => `users/${randomUUID()}/${what}`;

    it('answers which keys files, trashed files, renditions and backups refer to, and no others', async () => {
      const [file, trashed, rendition, backup, stray] = [key('a.txt'), key('b.txt'), key('r.webp'), `backups/db/${randomUUID()}.pgdump.vbk`, key('stray.txt')];
      await world.fileAt(file);
      await world.fileAt(trashed, { trashed: true });
      await world.renditionAt(rendition);
      await world.backupAt(backup);
      const referenced = await world.references.referenced([file, trashed, rendition, backup, stray], now);
      expect([...referenced].sort()).toEqual([file, trashed, rendition, backup].sort());
      expect(await world.references.referenced([], now)).toEqual(new Set());
    });

    it('keeps a live session\'s object and its encrypted sidecar, not an expired one\'s, and lists live uploads only', async () => {
      const [live, expired] = [key('live.mp4'), key('expired.mp4')];
      const [liveId, expiredId] = [randomUUID(), randomUUID()];
      await world.session(liveId, live, new Date(now.getTime() + HOUR));
      await world.session(expiredId, expired, new Date(now.getTime() - HOUR));
      const referenced = await world.references.referenced([live, `${live}.vbse`, expired, `${expired}.vbse`], now);
      expect([...referenced].sort()).toEqual([live, `${live}.vbse`].sort());
      expect(await world.references.liveUploadIds(now)).toEqual([liveId]);
      // The same session, asked about after its expiry.
      expect(await world.references.liveUploadIds(new Date(now.getTime() + 2 * HOUR))).toEqual([]);
    });
  });
}
