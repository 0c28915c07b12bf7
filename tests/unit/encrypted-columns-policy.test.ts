import { EncryptedColumnsPolicy, schemaWithEncryption } from '../../src/domain/database/encrypted-columns';
import type { ColumnSchema, SchemaSnapshot, TableSchema } from '../../src/domain/database/table-schema';

const column = (name: string, type: string): ColumnSchema => ({ name, type, nullable: true, hasDefault: false });
const users: TableSchema = {
  name: 'users',
  columns: new Map(
    [column('id', 'uuid'), column('email', 'character varying'), column('email_bidx', 'text'), column('first_name', 'character varying'), column('last_name', 'character varying(100)'), column('created_at', 'timestamp without time zone')].map((c) => [c.name, c]),
  ),
  primaryKey: ['id'],
  uniqueKeys: [['id'], ['email'], ['email_bidx']],
};
const schema: SchemaSnapshot = { tables: new Map([['users', users]]) };

describe('encrypted columns policy', () => {
  const policy = EncryptedColumnsPolicy.parse(' users.email , users.first_name,users.last_name,users.created_at,users.phone,notes.body ');

  it('keeps the declared columns the schema has as unbounded text, each with its blind index if there is one', () => {
    expect(policy.names).toEqual(['users.email', 'users.first_name', 'users.last_name', 'users.created_at', 'users.phone', 'notes.body']);
    expect(policy.layout(schema)).toEqual([
      { table: 'users', column: 'email', blindIndex: 'email_bidx' },
      { table: 'users', column: 'first_name', blindIndex: null },
    ]);
  });

  it('hides blind index columns; with encryption, marks the columns and reads a unique blind index as the column\'s', () => {
    const view = schemaWithEncryption(schema, policy.layout(schema)).tables.get('users')!;
    expect([...view.columns.keys()]).toEqual(['id', 'email', 'first_name', 'last_name', 'created_at']);
    expect(view.uniqueKeys).toEqual([['id'], ['email']]);
    expect(view.encrypted).toEqual(new Map([['email', { table: 'users', column: 'email', blindIndex: 'email_bidx' }], ['first_name', { table: 'users', column: 'first_name', blindIndex: null }]]));
  });

  it('without encryption only hides the blind index columns and their keys', () => {
    const view = schemaWithEncryption(schema, policy.layout(schema), false).tables.get('users')!;
    expect([...view.columns.keys()]).toEqual(['id', 'email', 'first_name', 'last_name', 'created_at']);
    expect(view.uniqueKeys).toEqual([['id'], ['email']]);
    expect(view.encrypted).toBeUndefined();
  });
});
