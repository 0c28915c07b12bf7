import { schemaWithEncryption, type EncryptedColumnsPolicy } from '../../../domain/database/encrypted-columns';
import type { SchemaSnapshot } from '../../../domain/database/table-schema';
import type { SchemaCatalog } from '../../ports/schema-catalog.port';

/**
 * The catalog as the gateway uses it: blind index columns hidden and, when values are encrypted
 * (`encrypting`), each table's encrypted columns recorded (see schemaWithEncryption). Each
 * introspection is mapped once.
 */
export class EncryptedColumnsCatalog implements SchemaCatalog {
  private readonly views = new WeakMap<SchemaSnapshot, SchemaSnapshot>();

  constructor(
    private readonly inner: SchemaCatalog,
    private readonly policy: EncryptedColumnsPolicy,
    private readonly encrypting: boolean,
  ) {}

  async snapshot(): Promise<SchemaSnapshot> {
    return this.view(await this.inner.snapshot());
  }

  async refresh(): Promise<SchemaSnapshot> {
    return this.view(await this.inner.refresh());
  }

  private view(raw: SchemaSnapshot): SchemaSnapshot {
    let view = this.views.get(raw);
    if (!view) {
      view = schemaWithEncryption(raw, this.policy.layout(raw), this.encrypting);
      this.views.set(raw, view);
    }
    return view;
  }
}
