import type { UploadSessionRepository } from '../../src/application/ports/upload-session-repository.port';
import { anUploadSession } from '../support/upload-session-builder';

/** What every UploadSessionRepository promises, PostgreSQL or the fake. */
export function uploadSessionRepositoryContract(name: string, make: () => Promise<UploadSessionRepository>): void {
  describe(`${name} (UploadSessionRepository contract)`, () => {
    let repo: UploadSessionRepository;
    beforeEach(async () => {
      repo = await make();
    });

    it('creates a session and reads it back as it was', async () => {
      const session = anUploadSession().build();
      await repo.create(session);
      expect(await repo.findById(session.id)).toEqual(session);
    });

    it('records chunks (a re-sent one replaces its md5) and answers the session as it now stands', async () => {
      const session = anUploadSession().build();
      await repo.create(session);
      await repo.recordChunk(session.id, 2, 'a'.repeat(32));
      const updated = await repo.recordChunk(session.id, 0, 'b'.repeat(32));
      expect(updated?.chunks).toEqual({ 0: 'b'.repeat(32), 2: 'a'.repeat(32) });
      expect((await repo.recordChunk(session.id, 0, 'c'.repeat(32)))?.chunks[0]).toBe('c'.repeat(32));
      expect(await repo.recordChunk(anUploadSession().build().id, 0, 'd'.repeat(32))).toBeNull();
    });

    it('parallel chunk records lose none', async () => {
      const session = anUploadSession().build();
      await repo.create(session);
      await Promise.all([0, 1, 2].map((i) => repo.recordChunk(session.id, i, String(i).repeat(32))));
      expect(Object.keys((await repo.findById(session.id))!.chunks).sort()).toEqual(['0', '1', '2']);
    });

    it('moves the status only from the expected one: exactly one of two racers wins', async () => {
      const session = anUploadSession().build();
      await repo.create(session);
      const wins = await Promise.all([repo.transition(session.id, 'uploading', 'completing'), repo.transition(session.id, 'uploading', 'completing')]);
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await repo.transition(session.id, 'uploading', 'failed')).toBe(false);
      expect((await repo.findById(session.id))?.status).toBe('completing');
      expect(await repo.recordChunk(session.id, 1, 'e'.repeat(32))).toBeNull();
      expect((await repo.findById(session.id))?.chunks).toEqual({});
    });

    it('advances the received bytes with the hash state only from where they stand: one of two racers wins', async () => {
      const session = anUploadSession().build();
      await repo.create(session);
      const state = new Uint8Array([1, 2, 3, 250]);
      const racers = await Promise.all([repo.advance(session.id, 0, 1000, state), repo.advance(session.id, 0, 2000, state)]);
      expect(racers.filter((r) => r !== null)).toHaveLength(1);
      const now = (await repo.findById(session.id))!;
      expect([1000, 2000]).toContain(now.receivedBytes);
      expect(now.hashState).toEqual(state);
      const withChunk = await repo.advance(session.id, now.receivedBytes, now.receivedBytes + 5, new Uint8Array([9]), { index: 1, md5: 'f'.repeat(32) });
      expect(withChunk).toMatchObject({ receivedBytes: now.receivedBytes + 5, hashState: new Uint8Array([9]), chunks: { 1: 'f'.repeat(32) } });
      expect(await repo.advance(session.id, 0, 10, state)).toBeNull();
      await repo.transition(session.id, 'uploading', 'completing');
      expect(await repo.advance(session.id, now.receivedBytes + 5, now.receivedBytes + 6, state)).toBeNull();
    });

    it('lists expired sessions still holding chunks (uploading or failed), not completed or live ones', async () => {
      const past = new Date(Date.now() - 1_000);
      const expired = anUploadSession().expiringAt(past).build();
      const failed = { ...anUploadSession().expiringAt(past).build(), status: 'failed' as const };
      const done = { ...anUploadSession().expiringAt(past).build(), status: 'completed' as const };
      const live = anUploadSession().build();
      for (const s of [expired, failed, done, live]) await repo.create(s);
      const ids = (await repo.expired(new Date(), 1_000)).map((s) => s.id);
      expect(ids).toEqual(expect.arrayContaining([expired.id, failed.id]));
      expect(ids).not.toContain(done.id);
      expect(ids).not.toContain(live.id);
    });
  });
}
