import { ErrorCode } from '../errors/index.ts';
import type { AuthFailure } from '../security/index.ts';

/**
 * The one answer to a request that fails authentication, on every HTTP path (Yoga's and
 * single-connection SSE's): 401, a GraphQL error with code UNAUTHENTICATED, no data.
 */
export function unauthenticated(failure: AuthFailure): { readonly body: string; readonly status: 401; readonly headers: Record<string, string> } {
  return {
    body: JSON.stringify({ errors: [{ message: failure.message, extensions: { code: ErrorCode.UNAUTHENTICATED } }] }),
    status: 401,
    headers: { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer' },
  };
}
