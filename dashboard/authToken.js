/**
 * The bearer token the page sends: read from the URL fragment (`#token=...`, so it never
 * reaches a server log), or typed into the token field the page shows once the gateway
 * answers UNAUTHENTICATED. A fragment keeps a tokened link shareable and survives reloads.
 */

/** The token of the current fragment, or '' when there is none. */
export function currentToken() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  return (params.get('token') ?? '').trim();
}

/** Stores a token in the fragment (replacing history, not adding a back-button step). */
export function setToken(token) {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  if (token) params.set('token', token);
  else params.delete('token');
  const hash = params.toString();
  history.replaceState(null, '', hash ? `#${hash}` : location.pathname + location.search);
}

/** Headers for a POST: `Authorization: Bearer <token>` when there is a token. */
export function authHeaders() {
  const token = currentToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** graphql-ws connection_init payload, as server/attachGraphqlWs.ts reads it. */
export function connectionParams() {
  const token = currentToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}
