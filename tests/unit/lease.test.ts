import { grantedTtlSeconds, instanceOf, leaseId, newLease, reapReason, touched } from '../../src/domain/database/lease';

const terms = { defaultTtlSeconds: 300, maxTtlSeconds: 3_600, idleTimeoutSeconds: 120 };
const at = (iso: string) => new Date(iso);
const aLease = () =>
  newLease({
    id: leaseId('inst-1', 'a'.repeat(24)),
    instanceId: 'inst-1',
    ownerId: 'u1',
    serviceName: 'svc',
    databaseType: 'postgresql',
    operationType: 'write',
    acquiredAt: at('2024-01-15T10:30:00Z'),
    ttlSeconds: 300,
  });

describe('lease ids', () => {
  it('name the instance that holds the lease', () => {
    const id = leaseId('inst-1', '0123456789abcdef01234567');
    expect(id).toBe('conn_inst-1_0123456789abcdef01234567');
    expect(instanceOf(id)).toBe('inst-1');
  });

  it('are recognised only in their exact form', () => {
    for (const text of ['conn_123456789', 'conn__0123456789abcdef01234567', 'conn_a_b_0123456789abcdef01234567', 'conn_inst-1_0123', "conn_x_0123456789abcdef01234567' OR 1=1"]) {
      expect(instanceOf(text)).toBeNull();
    }
  });

  it('refuse an instance id that would make them ambiguous', () => {
    expect(() => leaseId('a_b', '0'.repeat(24))).toThrow();
  });
});

describe('lease terms', () => {
  it('grants the default TTL when none is asked, and caps what is asked', () => {
    expect(grantedTtlSeconds(undefined, terms)).toBe(300);
    expect(grantedTtlSeconds(60, terms)).toBe(60);
    expect(grantedTtlSeconds(86_400, terms)).toBe(3_600);
  });

  it('expires at acquired_at + TTL and starts as just used', () => {
    const lease = aLease();
    expect(lease.expiresAt).toEqual(at('2024-01-15T10:35:00Z'));
    expect(lease.lastUsedAt).toEqual(lease.acquiredAt);
  });
});

describe('reapReason', () => {
  it('is null while the lease is fresh', () => {
    expect(reapReason(aLease(), at('2024-01-15T10:31:59Z'), 120)).toBeNull();
  });

  it('is idle once unused for the idle timeout, unless work is in flight', () => {
    expect(reapReason(aLease(), at('2024-01-15T10:32:00Z'), 120)).toBe('idle');
    expect(reapReason(aLease(), at('2024-01-15T10:32:00Z'), 120, true)).toBeNull();
  });

  it('counts idleness from the last use', () => {
    const used = touched(aLease(), at('2024-01-15T10:31:30Z'));
    expect(reapReason(used, at('2024-01-15T10:33:00Z'), 120)).toBeNull();
    expect(reapReason(used, at('2024-01-15T10:33:30Z'), 120)).toBe('idle');
  });

  it('is expired at expires_at, busy or not', () => {
    const used = touched(aLease(), at('2024-01-15T10:34:59Z'));
    expect(reapReason(used, at('2024-01-15T10:35:00Z'), 120, true)).toBe('expired');
  });
});
