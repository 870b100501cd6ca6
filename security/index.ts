/** Verified identity → role → row predicates and visible members, as plain data. */
export type { Access } from './Access.ts';
export { bindClaims, readClaim, MISSING_CLAIM } from './bindClaims.ts';
export { grantFor, FULL_GRANT } from './grantFor.ts';
export { rowPolicy } from './rowPolicy.ts';
export { checkRowPolicies } from './checkRowPolicies.ts';
export { roleView } from './roleView.ts';
export { createAuthenticator, AuthFailure, type Authenticator } from './authenticate.ts';
