import request from 'supertest';
import type { BackgroundTasks } from '../../src/infrastructure/background-tasks';
import { TOKENS } from '../../src/infrastructure/tokens';
import { eventually } from '../support/eventually';
import { buildTestApp, type TestApp } from '../support/test-app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A use case a periodic task runs, counting its runs. */
const counted = () => {
  const fake = { runs: 0, execute: async () => void fake.runs++ };
  return fake;
};

describe('background tasks of the wired app', () => {
  let t: TestApp;
  let tasks: BackgroundTasks;
  const trash = counted();
  const reaper = counted();
  beforeAll(async () => {
    t = await buildTestApp({
      migrate: false,
      background: false,
      env: { TRASH_PURGE_INTERVAL_MS: '1000', LEASE_REAP_INTERVAL_MS: '100' },
      overrides: { [TOKENS.PurgeExpiredTrash]: trash, [TOKENS.ReapLeases]: reaper },
    });
    tasks = t.container.get<BackgroundTasks>(TOKENS.BackgroundTasks);
  });
  afterAll(async () => {
    await tasks.stop();
    await t.close();
  });

  it('are one list, named, and building the app and mounting its routes starts none of them', async () => {
    expect(tasks.names).toEqual(
      expect.arrayContaining(['schema catalog refresh', 'lease reaper', 'outbox relay', 'trash purge', 'expired upload cleanup', 'CDN traffic counter flush']),
    );
    // Without a backup store, a transformation concurrency or a CDN, there is nothing of theirs to run.
    expect(tasks.names).not.toEqual(expect.arrayContaining(['backup retry']));
    expect(tasks.names).not.toEqual(expect.arrayContaining(['transformation workers']));
    await sleep(1_300);
    expect(trash.runs).toBe(0);
    expect(reaper.runs).toBe(0);
    expect(tasks.status().every((task) => !task.running)).toBe(true);
  });

  it('/health lists them, with their schedule and whether they run', async () => {
    const res = await request(t.app).get('/health').expect(200);
    expect(res.body.background_tasks).toContainEqual({ name: 'trash purge', schedule: 'every 1s', running: false });
    expect(res.body.background_tasks).toContainEqual({ name: 'lease reaper', schedule: 'every 100ms', running: false });
  });

  it('start runs them on their schedule; stop leaves nothing running', async () => {
    await tasks.start();
    await eventually('a trash purge', () => (trash.runs > 0 ? true : undefined), 5_000);
    await eventually('a few lease reaps', () => (reaper.runs >= 3 ? true : undefined), 5_000);
    expect((await request(t.app).get('/health').expect(200)).body.background_tasks).toContainEqual({ name: 'trash purge', schedule: 'every 1s', running: true });

    await tasks.stop();
    const after = { trash: trash.runs, reaper: reaper.runs };
    await sleep(1_300);
    expect({ trash: trash.runs, reaper: reaper.runs }).toEqual(after);
    expect(tasks.status().some((task) => task.running)).toBe(false);
  });
});

describe('buildTestApp by default', () => {
  it('starts the background tasks, as main.ts does, and close() stops them', async () => {
    const t = await buildTestApp({ migrate: false });
    const tasks = t.container.get<BackgroundTasks>(TOKENS.BackgroundTasks);
    try {
      expect(tasks.status().every((task) => task.running)).toBe(true);
    } finally {
      await t.close();
    }
    expect(tasks.status().some((task) => task.running)).toBe(false);
  });
});
