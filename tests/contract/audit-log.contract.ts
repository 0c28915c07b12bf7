import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../src/application/ports/audit-log.port';
import type { AuditTrail } from '../../src/application/ports/audit-trail.port';
import type { Clock } from '../../src/application/ports/clock.port';
import type { RequestOrigin } from '../../src/application/ports/request-origin.port';
import type { AuditOrigin, NewAuditEntry } from '../../src/domain/audit/audit-entry';

export type AuditLogUnderTest = AuditTrail & AuditLog;

/** What every audit trail promises, PostgreSQL or the fake: origin filled in, newest first, filters, paging, an intact chain, retention. */
export function auditLogContract(name: string, make: (origin: RequestOrigin, clock: Clock) => Promise<AuditLogUnderTest>): void {
  describe(`${name} (AuditTrail and AuditLog contract)`, () => {
    let log: AuditLogUnderTest;
    let origin: AuditOrigin;
    let now: Date;
    const entry = (overrides: Partial<NewAuditEntry> = {}): NewAuditEntry => ({ action: 'file.update', targetType: 'file', targetId: randomUUID(), outcome: 'success', ...overrides });
    const as = (sub: string) => {
      origin = { actor: { sub, role: 'user', serviceName: null }, requestId: `req_${randomUUID()}`, clientIp: '203.0.113.7', userAgent: 'contract/1' };
    };

    beforeAll(async () => {
      now = new Date();
      as('nobody');
      log = await make({ current: () => origin }, { now: () => now });
    });

    it('records entries with the origin of the request being served, and lists them newest first', async () => {
      const sub = randomUUID();
      as(sub);
      const first = entry({ details: { fields: ['is_public'], nested: { b: 1, a: 'é' } } });
      const second = entry({ action: 'lease.acquire', targetType: 'lease', outcome: 'LEASE_LIMIT_EXCEEDED', actor: { serviceName: 'core-user-service' } });
      await log.record([first]);
      await log.record([second]);
      expect(await log.chain()).toBeGreaterThanOrEqual(2);
      const page = await log.list({ actor: sub }, { limit: 10 });
      expect(page.entries.map((e) => e.action)).toEqual(['lease.acquire', 'file.update']);
      expect(page.entries[1]).toMatchObject({
        occurredAt: now,
        actor: { sub, role: 'user', serviceName: null },
        targetType: 'file',
        targetId: first.targetId,
        requestId: origin.requestId,
        clientIp: '203.0.113.7',
        userAgent: 'contract/1',
        outcome: 'success',
        details: { fields: ['is_public'], nested: { a: 'é', b: 1 } },
      });
      expect(page.entries[0]!.actor).toEqual({ sub, role: 'user', serviceName: 'core-user-service' });
      expect(page.entries[0]!.prevHash).toBe(page.entries[1]!.hash);
      expect(BigInt(page.entries[0]!.chainSeq!)).toBe(BigInt(page.entries[1]!.chainSeq!) + 1n);
      expect(page.total).toBe(2);
    });

    it('filters by action, target, outcome and time, and pages by number or cursor', async () => {
      const sub = randomUUID();
      as(sub);
      const target = randomUUID();
      for (let i = 0; i < 5; i++) await log.record([entry({ targetId: i === 2 ? target : randomUUID(), outcome: i === 4 ? 'FORBIDDEN' : 'success' })]);
      expect((await log.list({ actor: sub, targetId: target }, { limit: 10 })).entries).toHaveLength(1);
      expect((await log.list({ actor: sub, outcome: 'FORBIDDEN' }, { limit: 10 })).total).toBe(1);
      expect((await log.list({ actor: sub, action: 'file.update', from: new Date(now.getTime() + 1) }, { limit: 10 })).total).toBe(0);
      expect((await log.list({ actor: sub, to: now }, { limit: 10 })).total).toBe(5);

      const first = await log.list({ actor: sub }, { limit: 2, page: 1 });
      const byPage = await log.list({ actor: sub }, { limit: 2, page: 2 });
      const byCursor = await log.list({ actor: sub }, { limit: 2, beforeId: first.nextBeforeId! });
      expect(byCursor.entries.map((e) => e.id)).toEqual(byPage.entries.map((e) => e.id));
      expect(byCursor.total).toBeNull();
      const last = await log.list({ actor: sub }, { limit: 2, page: 3 });
      expect(last.entries).toHaveLength(1);
      expect(last.nextBeforeId).toBeNull();
      expect(BigInt(first.entries[0]!.id)).toBeGreaterThan(BigInt(first.entries[1]!.id));
    });

    it('keeps one unbroken chain under concurrent writers', async () => {
      as(randomUUID());
      await Promise.all(Array.from({ length: 20 }, () => log.record([entry(), entry()])));
      const verdict = await log.verify();
      expect(verdict).toMatchObject({ ok: true, anchorSeq: '0', unchained: 0 });
      expect(verdict.checked).toBeGreaterThanOrEqual(47);
    });

    it('purges the entries past retention, re-anchors the chain and records its own entry', async () => {
      await log.chain();
      const before = await log.list({}, { limit: 1 });
      expect(await log.purgeBefore(new Date(now.getTime() - 86_400_000), () => entry())).toBe(0);
      expect((await log.list({}, { limit: 1 })).entries[0]!.id).toBe(before.entries[0]!.id); // nothing recorded either

      const head = before.entries[0]!;
      const total = before.total!;
      const purged = await log.purgeBefore(new Date(now.getTime() + 1), (count, anchorSeq) => entry({ action: 'audit.retention_purge', details: { purged: count, anchor_seq: anchorSeq } }));
      expect(purged).toBe(total);
      const after = await log.list({}, { limit: 10 });
      expect(after.entries).toHaveLength(1);
      expect(after.entries[0]).toMatchObject({ action: 'audit.retention_purge', chainSeq: null, details: { purged: total, anchor_seq: head.chainSeq } });
      expect(await log.verify()).toMatchObject({ ok: true, checked: 1, anchorSeq: head.chainSeq, anchorHash: head.hash });
      expect((await log.list({}, { limit: 1 })).entries[0]).toMatchObject({ prevHash: head.hash });
    });
  });
}
