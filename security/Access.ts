import type { RoleConfig } from '../schema/index.ts';

/**
 * Who is asking, once their token is verified: the role that decides what they see, and
 * the token's claims that the role's row policies read (`"$claims.<path>"`).
 * Plain data; one per request (HTTP, SSE) or per connection (graphql-ws).
 */
export interface Access {
  readonly role: RoleConfig;
  readonly claims: Readonly<Record<string, unknown>>;
  /** When the token stops being accepted (its exp plus the clock tolerance), epoch ms; null without a token. */
  readonly expiresAt?: number | null;
}
