import { ColumnCodec } from '../../src/application/database/column-encryption/column-codec';
import { ColumnCipher } from '../../src/domain/crypto/column-cipher';
import { Keyring } from '../../src/domain/crypto/keyring';
import { EncryptedColumnCorrupt, EncryptedColumnKeyUnavailable, EncryptedColumnNotSearchable } from '../../src/domain/database/encrypted-columns';
import type { TableSchema } from '../../src/domain/database/table-schema';

const cipher = new ColumnCipher(Keyring.parse(Buffer.alloc(32, 5).toString('base64')));
const codec = new ColumnCodec(cipher);
const users = {
  name: 'users',
  columns: new Map(),
  primaryKey: ['id'],
  uniqueKeys: [['id'], ['email']],
  encrypted: new Map([
    ['email', { blindIndex: 'email_bidx' }],
    ['last_name', { blindIndex: null }],
  ]),
} as TableSchema;

describe('ColumnCodec', () => {
  it('encrypts values and adds their blind index; NULL stays NULL; other columns pass through', () => {
    const stored = codec.encodeValues(users, { email: 'ada@example.com', last_name: null, role: 'user' });
    expect(stored).toEqual({ email: expect.stringMatching(/^vbenc1:default:/), email_bidx: cipher.blindIndex('users.email', 'ada@example.com'), last_name: null, role: 'user' });
    expect(codec.decodeRows(users, [{ ...stored }])).toEqual([{ ...stored, email: 'ada@example.com' }]);
  });

  it('turns equality filters into blind index filters and refuses the rest, naming the column and path', () => {
    const index = (v: string) => cipher.blindIndex('users.email', v);
    expect(
      codec.storedFilters(users, [
        { column: 'email', operator: 'eq', value: 'a@x' },
        { column: 'email', operator: 'in', value: ['a@x', 'b@x'] },
        { column: 'email', operator: 'is_null', value: false },
        { column: 'role', operator: 'gt', value: 'a' },
      ]),
    ).toEqual([
      { column: 'email_bidx', operator: 'eq', value: index('a@x') },
      { column: 'email_bidx', operator: 'in', value: [index('a@x'), index('b@x')] },
      { column: 'email', operator: 'is_null', value: false },
      { column: 'role', operator: 'gt', value: 'a' },
    ]);
    expect(() => codec.storedFilters(users, [{ column: 'email', operator: 'like', value: '%' }])).toThrow(EncryptedColumnNotSearchable);
    const noIndex = (() => {
      try {
        codec.storedFilters(users, [{ column: 'last_name', operator: 'eq', value: 'x' }], 'operations.2.filters');
      } catch (error) {
        return error as EncryptedColumnNotSearchable;
      }
    })();
    expect(noIndex?.details).toEqual({ column: 'users.last_name', operation: 'eq', path: 'operations.2.filters.last_name.eq', reason: 'it has no blind index' });
    expect(() => codec.checkSort(users, [{ column: 'id', direction: 'asc' }, { column: 'email', direction: 'desc' }])).toThrow(/users\.email is encrypted at rest: sort/);
    expect(codec.storedConflictColumns(users, ['email', 'id'])).toEqual(['email_bidx', 'id']);
  });

  it('turns an unreadable value into a domain error, never ciphertext', () => {
    const foreign = new ColumnCipher(Keyring.parse(`old:${Buffer.alloc(32, 9).toString('base64')}`)).encrypt('users.email', 'x');
    expect(() => codec.decodeRows(users, [{ email: foreign }])).toThrow(EncryptedColumnKeyUnavailable);
    const moved = cipher.encrypt('users.last_name', 'x');
    expect(() => codec.decodeRows(users, [{ email: moved }])).toThrow(EncryptedColumnCorrupt);
  });
});
