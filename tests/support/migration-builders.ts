import { createHash } from 'node:crypto';
import type { MigrationScript } from '../../src/domain/database/migration';

/** `aMigrationScript('20240115_001').describedAs('...').withSql('...').build()` */
export function aMigrationScript(version: string): MigrationScriptBuilder {
  return new MigrationScriptBuilder(version);
}

export class MigrationScriptBuilder {
  private description: string;
  private sql: string;
  private estimatedDurationMs = 1_000;

  constructor(private readonly version: string) {
    this.description = `Migration ${version}`;
    this.sql = `CREATE TABLE t_${version} (id INTEGER);`;
  }

  describedAs(description: string): this {
    this.description = description;
    return this;
  }

  withSql(sql: string): this {
    this.sql = sql;
    return this;
  }

  estimatedAt(ms: number): this {
    this.estimatedDurationMs = ms;
    return this;
  }

  build(): MigrationScript {
    return {
      version: this.version,
      description: this.description,
      checksum: createHash('sha256').update(this.sql).digest('hex'),
      estimatedDurationMs: this.estimatedDurationMs,
      sql: this.sql,
    };
  }
}

/** A file as it sits in the migrations folder. */
export function migrationFile(version: string, slug: string, body: string, description = `Migration ${version}`): { name: string; content: string } {
  return { name: `${version}_${slug}.sql`, content: `-- description: ${description}\n${body}\n` };
}
