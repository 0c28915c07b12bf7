import { randomBytes } from 'node:crypto';
import { Keyring, KeyringFormatError } from '../../src/domain/crypto/keyring';

const key = (): string => randomBytes(32).toString('base64');

describe('Keyring', () => {
  it('reads id:key pairs and names the active one', () => {
    const [a, b] = [key(), key()];
    const ring = Keyring.parse(`k1:${a}, k2:${b}`, 'k2');
    expect(ring.ids).toEqual(['k1', 'k2']);
    expect(ring.activeId).toBe('k2');
    expect(ring.activeKey.equals(Buffer.from(b, 'base64'))).toBe(true);
    expect(ring.key('k1')!.equals(Buffer.from(a, 'base64'))).toBe(true);
    expect(ring.key('gone')).toBeNull();
  });

  it('takes a single bare key (the seed ENCRYPTION_KEY) as a keyring of one called default', () => {
    const ring = Keyring.parse(key());
    expect(ring.activeId).toBe('default');
    expect(ring.ids).toEqual(['default']);
  });

  it.each([
    ['', 'no key given'],
    [`a:${'x'.repeat(10)}`, 'not 32 bytes'],
    [`a:${randomBytes(16).toString('base64')}`, 'not 32 bytes'],
    [`a:${key()},${key()}`, 'no "id:" prefix'],
    [`bad id:${key()}`, 'the id must be'],
  ])('refuses %j (%s)', (text, message) => {
    expect(() => Keyring.parse(text)).toThrow(KeyringFormatError);
    expect(() => Keyring.parse(text)).toThrow(message);
  });

  it('refuses a duplicate id, an unknown active id, and several keys without an active one', () => {
    expect(() => Keyring.parse(`a:${key()},a:${key()}`, 'a')).toThrow('appears twice');
    expect(() => Keyring.parse(`a:${key()}`, 'b')).toThrow('"b" is not in the keyring');
    expect(() => Keyring.parse(`a:${key()},b:${key()}`)).toThrow('name the active one');
  });

  it('never shows key bytes in its errors or its JSON', () => {
    const secret = key();
    expect(JSON.stringify(Keyring.parse(`a:${secret}`))).not.toContain(secret.slice(0, 10));
    try {
      Keyring.parse(`a:${secret},b:${secret.slice(0, 20)}`, 'a');
    } catch (error) {
      expect(String(error)).not.toContain(secret.slice(0, 10));
    }
  });
});
