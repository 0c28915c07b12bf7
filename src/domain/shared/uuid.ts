/** The text of a UUID (any version), as PostgreSQL's uuid type accepts it in its canonical form. */
export const UUID_SOURCE = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

const UUID = new RegExp(`^${UUID_SOURCE}$`, 'i');

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
