import { randomUUID } from 'node:crypto';
import type { Caller, Role } from '../../src/domain/auth/caller';

/** `aCaller().withRole('admin').build()`; each builder starts with a fresh user id. */
export function aCaller(): CallerBuilder {
  return new CallerBuilder();
}

export class CallerBuilder {
  private userId: string = randomUUID();
  private role: Role = 'user';

  withId(userId: string): this {
    this.userId = userId;
    return this;
  }

  withRole(role: Role): this {
    this.role = role;
    return this;
  }

  build(): Caller {
    return { userId: this.userId, email: null, role: this.role, subscriptionType: null, permissions: [], tokenId: null };
  }
}
