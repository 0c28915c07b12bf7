import type { Caller } from '../../domain/auth/caller';

/** Turns a bearer token into the caller it names, or throws Unauthenticated. */
export interface TokenVerifier {
  verify(token: string): Promise<Caller>;
}
