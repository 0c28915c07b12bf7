import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { currentRun } from '../support/run-resources';
import { buildTestApp, type TestApp } from '../support/test-app';
import { aToken } from '../support/tokens';
import { aProjectRow, aUserRow, insert, redis, transaction } from '../support/transaction-requests';

const CLIENTS = 80;
const ROUNDS = 4;

/**
 * Many clients at once, Redis up: every transaction's Redis operations are applied before its answer
 * (never `pending`), each client finds its own write right after the answer, and a counter all of them
 * increment ends exact. (Under 200 clients, in-flight peers' entries used to count as a backlog, so
 * nearly every answer said `pending` and left the effect to the relay.)
 */
describe('POST /api/v1/data/transaction under concurrency (Redis up)', () => {
  let t: TestApp;
  let server: http.Server;
  let base: string;
  let raw: Redis;
  const users = Array.from({ length: 4 }, () => ({ id: randomUUID(), token: '' }));
  const stored = (userId: string, key: string) => `data:user:${userId}:${key}`;

  beforeAll(async () => {
    t = await buildTestApp();
    // A real listening server with keep-alive: closer to many clients than a server per request.
    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    raw = new Redis(currentRun().redisUrl, { keyPrefix: currentRun().keyPrefix, maxRetriesPerRequest: 1 });
    for (const user of users) {
      user.token = await aToken({ sub: user.id });
      await transaction(t.app, user.token, [insert('users', aUserRow())]).expect(200);
    }
  });
  afterAll(async () => {
    raw.disconnect();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.close();
  });

  it('applies every effect inline, read-your-writes holds, and shared counters end exact', async () => {
    const post = async (token: string, body: unknown): Promise<{ status: number; body: any }> => {
      const res = await fetch(`${base}/api/v1/data/transaction`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    const pending: string[] = [];
    const unread: string[] = [];
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        const user = users[client % users.length]!;
        for (let round = 0; round < ROUNDS; round += 1) {
          const own = `own:${client}:${round}`;
          const res = await post(user.token, {
            operations: [insert('projects', aProjectRow()), redis('incr', 'shared'), redis('set', own, { value: String(round) })],
          });
          expect(res.status).toBe(200);
          for (const result of res.body.results.slice(1)) if (result.status !== 'success') pending.push(`${client}/${round}: ${result.status}`);
          if ((await raw.get(stored(user.id, own))) !== String(round)) unread.push(`${client}/${round}`);
        }
      }),
    );
    expect(pending).toEqual([]);
    expect(unread).toEqual([]);
    const counts = await Promise.all(users.map((user) => raw.get(stored(user.id, 'shared'))));
    expect(counts.map(Number)).toEqual(users.map(() => (CLIENTS / users.length) * ROUNDS));
  }, 120_000);
});
