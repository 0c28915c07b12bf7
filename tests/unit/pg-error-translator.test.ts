import { translatePgError } from '../../src/adapters/postgres/pg-error-translator';
import { ValidationFailed } from '../../src/domain/shared/errors';

/** pg's errors carry the SQLSTATE in `code`; these stand in for them. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('translatePgError: text PostgreSQL cannot store', () => {
  it.each([
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22P05', 'unsupported Unicode escape sequence'],
  ])('turns SQLSTATE %s (%s) into 400 VALIDATION_ERROR, not a 500', (code, message) => {
    const translated = translatePgError(pgError(code, message));
    expect(translated).toBeInstanceOf(ValidationFailed);
    expect((translated as ValidationFailed).code).toBe('VALIDATION_ERROR');
  });

  it('leaves other data errors to their callers', () => {
    const other = pgError('22P02', 'invalid input syntax for type uuid');
    expect(translatePgError(other)).toBe(other);
  });
});
