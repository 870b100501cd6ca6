/**
 * The page's two ways to ask the gateway on its own origin: a POST of a query (JSON), and
 * subscriptions over one graphql-ws connection (the UMD bundle the server hands out as
 * /dashboard/graphql-ws.js defines `window.graphqlWs`).
 *
 * A GraphQL error is not thrown: answers come back as `{ data, errors }` so each panel
 * shows its own error. An error coded UNAUTHENTICATED (errors/index.ts) or a socket closed
 * with 4401/4403 (server/attachGraphqlWs.ts) is reported through `onAuthNeeded`, which
 * shows the token field.
 */
import { authHeaders, connectionParams } from './authToken.js';

const UNAUTHENTICATED = 'UNAUTHENTICATED';
const FORBIDDEN = 'FORBIDDEN';
const authListeners = new Set();

/** Calls `listener(reason)` whenever an answer says a (better) token is needed. */
export function onAuthNeeded(listener) {
  authListeners.add(listener);
}

function reportAuth(reason) {
  for (const listener of authListeners) listener(reason);
}

/** Whether a GraphQL error list asks for a token. */
function needsToken(errors) {
  return (errors ?? []).some((e) => e?.extensions?.code === UNAUTHENTICATED || e?.extensions?.code === FORBIDDEN);
}

/** POSTs one operation; resolves to `{ data, errors, ms }` (ms measured from the request's start). */
export async function postQuery(query, variables = {}) {
  const started = performance.now();
  let body;
  try {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...authHeaders() },
      body: JSON.stringify({ query, variables }),
    });
    body = await response.json();
  } catch (error) {
    body = { errors: [{ message: `the gateway did not answer: ${error.message}` }] };
  }
  const ms = performance.now() - started;
  if (needsToken(body.errors)) reportAuth(body.errors[0].message);
  return { data: body.data ?? null, errors: body.errors ?? null, ms };
}

let client = null;

/** The page's graphql-ws client, made on first use; `resetSocket()` drops it (a new token). */
function wsClient() {
  if (client) return client;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  client = window.graphqlWs.createClient({
    url,
    connectionParams,
    // A refused token closes with 4401/4403: asking again with the same token cannot help.
    shouldRetry: (event) => !(event && (event.code === 4401 || event.code === 4403)),
    retryAttempts: 5,
  });
  return client;
}

/** Closes the socket; the next subscription opens a new one (with the current token). */
export function resetSocket() {
  const old = client;
  client = null;
  if (old) void old.dispose();
}

/**
 * Subscribes to one operation. `onResult({ data, errors })` gets every version;
 * `onError(message)` a failure of the operation or the socket. Returns the unsubscribe function.
 */
export function subscribe(query, variables, { onResult, onError, onComplete }) {
  return wsClient().subscribe(
    { query, variables },
    {
      next: (result) => {
        if (needsToken(result.errors)) reportAuth(result.errors[0].message);
        onResult({ data: result.data ?? null, errors: result.errors ?? null });
      },
      error: (error) => {
        if (error && (error.code === 4401 || error.code === 4403)) {
          reportAuth(error.reason || 'the token was refused');
          return onError(`the token was refused (${error.code}${error.reason ? `: ${error.reason}` : ''})`);
        }
        if (Array.isArray(error)) return onError(error.map((e) => e.message).join('; '));
        onError(error?.message ?? (error?.code ? `the socket closed (${error.code})` : String(error)));
      },
      complete: () => onComplete?.(),
    },
  );
}
