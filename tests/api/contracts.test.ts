import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import type { CacheInvalidator } from '../../src/application/ports/cache-invalidator.port';
import { TOKENS } from '../../src/infrastructure/tokens';
import { expectStandardError } from '../support/error-body';
import { currentRun } from '../support/run-resources';
import { SeedRows, type RowData } from '../support/seed-rows';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken, bearer } from '../support/tokens';

/** 001 "Endpoints de Contrats", over a key prefix of its own so hits and misses are this file's. */
describe('contract reads', () => {
  let t: TestApp;
  let seed: SeedRows;
  let owner: RowData;
  let stranger: RowData;
  let project: RowData;
  let jobs: RowData[];
  let token: string;
  let strangerToken: string;
  let admin: string;
  const get = (path: string, as: string) => request(t.app).get(path).set(bearer(as));
  const invalidate = (tables: string[]) => t.container.get<CacheInvalidator>(TOKENS.CacheInvalidator).invalidate(tables);

  beforeAll(async () => {
    t = await buildTestApp({ env: { REDIS_KEY_PREFIX: `${currentRun().keyPrefix}contracts-${randomBytes(4).toString('hex')}:` } });
    seed = await SeedRows.connect();
    owner = await seed.user({ role: 'premium', subscription_type: 'premium', email_verified: true });
    stranger = await seed.user();
    project = await seed.project(owner.id as string, { title: 'Mon Projet', status: 'active' });
    await seed.file(owner.id as string, { project_id: project.id });
    await seed.file(owner.id as string, { project_id: project.id });
    await seed.file(owner.id as string);
    jobs = [
      await seed.analysisJob(project.id as string, { status: 'completed', created_at: '2024-01-01T00:00:00Z' }),
      await seed.analysisJob(project.id as string, { job_type: 'scene_extraction', status: 'running', created_at: '2024-01-02T00:00:00Z' }),
    ];
    [token, strangerToken, admin] = await Promise.all([aToken({ sub: owner.id as string, role: 'premium' }), aToken({ sub: stranger.id as string }), aToken({ role: 'admin' })]);
  });
  afterAll(async () => {
    await seed.close();
    await t.close();
  });

  describe('GET /api/v1/contracts/user/{user_id}', () => {
    it('answers the contract shape for yourself, without any secret', async () => {
      const res = await get(`/api/v1/contracts/user/${owner.id}`, token).expect(200);
      expect(res.body).toEqual({
        user: {
          id: owner.id,
          email: owner.email,
          username: owner.username,
          role: 'premium',
          subscription_type: 'premium',
          email_verified: true,
          phone_verified: false,
          mfa_enabled: false,
          created_at: expect.any(String),
          updated_at: expect.any(String),
          profile: { first_name: 'Ada', last_name: 'Lovelace', avatar_url: null },
        },
        source: 'centralized_contract',
        cache_status: expect.stringMatching(/^(miss|hit)$/),
        response_time_ms: expect.any(Number),
      });
      expect(JSON.stringify(res.body)).not.toContain('password');
    });

    it('caches: miss, hit, and a miss again after a write to users', async () => {
      const path = `/api/v1/contracts/user/${stranger.id}`;
      const statuses = [];
      statuses.push((await get(path, strangerToken).expect(200)).body.cache_status);
      statuses.push((await get(path, strangerToken).expect(200)).body.cache_status);
      await seed.sql.query("UPDATE users SET first_name = 'Grace' WHERE id = $1", [stranger.id]);
      await invalidate(['users']);
      const after = await get(path, strangerToken).expect(200);
      expect([...statuses, after.body.cache_status]).toEqual(['miss', 'hit', 'miss']);
      expect(after.body.user.profile.first_name).toBe('Grace');
    });

    it('answers 404 for another user, exactly as for one that does not exist; an admin reads anyone', async () => {
      const theirs = expectStandardError(await get(`/api/v1/contracts/user/${stranger.id}`, token), 404, 'NOT_FOUND');
      const nobody = expectStandardError(await get(`/api/v1/contracts/user/${randomUUID()}`, token), 404, 'NOT_FOUND');
      expect(theirs.message).toBe(nobody.message);
      expect((await get(`/api/v1/contracts/user/${stranger.id}`, admin).expect(200)).body.user.id).toBe(stranger.id);
    });

    it('answers 404 for a soft-deleted user', async () => {
      const gone = await seed.user({ deleted_at: '2024-01-01T00:00:00Z' });
      expectStandardError(await get(`/api/v1/contracts/user/${gone.id}`, admin), 404, 'NOT_FOUND');
    });

    it('refuses an id that is not a UUID with a 400 naming it', async () => {
      const error = expectStandardError(await get("/api/v1/contracts/user/1' OR '1'='1", token), 400, 'VALIDATION_ERROR');
      expect(error.details.issues).toEqual([expect.objectContaining({ path: 'params.user_id' })]);
    });
  });

  describe('GET /api/v1/contracts/project/{project_id}', () => {
    it('aggregates the project, its files count and its workflows, naming the tables read', async () => {
      const res = await get(`/api/v1/contracts/project/${project.id}`, token).expect(200);
      expect(res.body).toMatchObject({
        project: { id: project.id, user_id: owner.id, title: 'Mon Projet', status: 'active', visibility: 'private', files_count: 2 },
        source: 'centralized_contract',
        aggregated_from: ['projects', 'files', 'analysis_jobs'],
        cache_status: expect.stringMatching(/^(miss|hit)$/),
        response_time_ms: expect.any(Number),
      });
      expect(res.body.project.workflows).toEqual([
        expect.objectContaining({ id: jobs[1]!.id, type: 'scene_extraction', status: 'running' }),
        expect.objectContaining({ id: jobs[0]!.id, type: 'ai_analysis', status: 'completed' }),
      ]);
    });

    it('caches as one answer that a write to any table read invalidates', async () => {
      const path = `/api/v1/contracts/project/${project.id}`;
      await get(path, admin).expect(200);
      expect((await get(path, admin).expect(200)).body.cache_status).toBe('hit');
      await seed.analysisJob(project.id as string, { job_type: 'render', created_at: '2024-01-03T00:00:00Z' });
      await invalidate(['analysis_jobs']);
      const after = await get(path, admin).expect(200);
      expect(after.body.cache_status).toBe('miss');
      expect(after.body.project.workflows.map((w: RowData) => w.type)).toEqual(['render', 'scene_extraction', 'ai_analysis']);
    });

    it('answers 404 for another user\'s project, as for one that does not exist', async () => {
      expectStandardError(await get(`/api/v1/contracts/project/${project.id}`, strangerToken), 404, 'NOT_FOUND');
      expectStandardError(await get(`/api/v1/contracts/project/${randomUUID()}`, admin), 404, 'NOT_FOUND');
    });

    it('refuses an id that is not a UUID', async () => {
      const error = expectStandardError(await get('/api/v1/contracts/project/proj_123456789', token), 400, 'VALIDATION_ERROR');
      expect(error.details.issues).toEqual([expect.objectContaining({ path: 'params.project_id' })]);
    });

    it('needs a token', async () => {
      await request(t.app).get(`/api/v1/contracts/project/${project.id}`).expect(401);
    });
  });
});
