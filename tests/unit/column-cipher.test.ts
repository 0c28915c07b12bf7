import { ColumnCipher, ColumnKeyMissing, ColumnValueCorrupt, keyIdOf } from '../../src/domain/crypto/column-cipher';
import { Keyring } from '../../src/domain/crypto/keyring';

const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = Buffer.alloc(32, 2).toString('base64');
const ring = (text: string, active?: string) => Keyring.parse(text, active);

describe('ColumnCipher', () => {
  const cipher = new ColumnCipher(ring(`k1:${K1}`));

  it('round-trips text in the documented form, a fresh nonce each time', () => {
    const a = cipher.encrypt('users.email', 'ada@example.com');
    const b = cipher.encrypt('users.email', 'ada@example.com');
    expect(a).toMatch(/^vbenc1:k1:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(cipher.decrypt('users.email', a)).toBe('ada@example.com');
    expect(keyIdOf(a)).toBe('k1');
    // 12-byte nonce + ciphertext + 16-byte tag.
    expect(Buffer.from(a.split(':')[2]!, 'base64url')).toHaveLength(12 + 'ada@example.com'.length + 16);
    expect(cipher.decrypt('users.email', cipher.encrypt('users.email', 'é ✓ 😀'))).toBe('é ✓ 😀');
  });

  it('returns a value stored before encryption as it is', () => {
    expect(cipher.decrypt('users.email', 'plain@example.com')).toBe('plain@example.com');
    expect(keyIdOf('plain@example.com')).toBeNull();
  });

  it('refuses a flipped byte, a value moved to another column, a relabelled key id', () => {
    const value = cipher.encrypt('users.email', 'ada@example.com');
    const body = Buffer.from(value.split(':')[2]!, 'base64url');
    body[14] = body[14]! ^ 1;
    expect(() => cipher.decrypt('users.email', `vbenc1:k1:${body.toString('base64url')}`)).toThrow(ColumnValueCorrupt);
    expect(() => cipher.decrypt('users.first_name', value)).toThrow(ColumnValueCorrupt);
    const both = new ColumnCipher(ring(`k1:${K1},k2:${K1}`, 'k1'));
    expect(() => both.decrypt('users.email', value.replace('vbenc1:k1:', 'vbenc1:k2:'))).toThrow(ColumnValueCorrupt);
    expect(() => cipher.decrypt('users.email', 'vbenc1:k1:AAAA')).toThrow(ColumnValueCorrupt);
  });

  it('names a key the keyring no longer holds', () => {
    const old = new ColumnCipher(ring(`k0:${K2}`)).encrypt('users.email', 'x');
    expect(() => cipher.decrypt('users.email', old)).toThrow(new ColumnKeyMissing('k0'));
  });

  it('reads values of every key in the keyring and writes with the active one', () => {
    const rotated = new ColumnCipher(ring(`k1:${K1},k2:${K2}`, 'k2'));
    const old = cipher.encrypt('users.email', 'ada@example.com');
    expect(rotated.decrypt('users.email', old)).toBe('ada@example.com');
    expect(rotated.isCurrent(old)).toBe(false);
    expect(rotated.isCurrent(rotated.encrypt('users.email', 'x'))).toBe(true);
  });

  it('computes a blind index that is deterministic, per column, and unchanged by rotating the active key', () => {
    const rotated = new ColumnCipher(ring(`k1:${K1},k2:${K2}`, 'k2'));
    const index = cipher.blindIndex('users.email', 'ada@example.com');
    expect(index).toMatch(/^k1:[A-Za-z0-9_-]{43}$/);
    expect(cipher.blindIndex('users.email', 'ada@example.com')).toBe(index);
    expect(rotated.blindIndex('users.email', 'ada@example.com')).toBe(index);
    expect(cipher.blindIndex('users.first_name', 'ada@example.com')).not.toBe(index);
    expect(cipher.blindIndex('users.email', 'Ada@example.com')).not.toBe(index);
    expect(new ColumnCipher(ring(`k1:${K1},k2:${K2}`, 'k2'), 'k2').blindIndex('users.email', 'ada@example.com')).toMatch(/^k2:/);
  });

  it('never serializes key material', () => {
    expect(JSON.stringify(cipher)).toBe('{"active":"k1","ids":["k1"],"blindIndexKeyId":"k1"}');
  });
});
