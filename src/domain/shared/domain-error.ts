/**
 * Every failure a caller can act on. `code` is the stable machine-readable name the HTTP edge maps
 * to a status; `details` travels to the client, so it must never hold secrets or internals.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;

  constructor(message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
  }
}
