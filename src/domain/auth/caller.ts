export const ROLES = ['user', 'premium', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Roles ordered by privilege: a route open to `premium` is open to `admin` too. */
const RANK: Record<Role, number> = { user: 0, premium: 1, admin: 2 };

/** The authenticated party behind a request, as its verified token describes it. */
export interface Caller {
  readonly userId: string;
  readonly email: string | null;
  readonly role: Role;
  readonly subscriptionType: string | null;
  readonly permissions: readonly string[];
  readonly tokenId: string | null;
}

export function hasAtLeastRole(caller: Caller, minimum: Role): boolean {
  return RANK[caller.role] >= RANK[minimum];
}

export function isAdmin(caller: Caller): boolean {
  return caller.role === 'admin';
}
