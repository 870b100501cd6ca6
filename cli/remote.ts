import type { Config } from '../schema/index.ts';

/**
 * `check --url` and `explain --url`: the commands asked of a running server rather than of
 * sources opened here. Beside a running demo this is the only way: its embedded database
 * belongs to the server's process (sources/dataDirLock.ts).
 */

interface ServedDataset {
  readonly name: string;
  readonly kind: string;
}

/**
 * Checks a running server: /readyz (every source answers) and Query._datasets. With a
 * config, also that every dataset and fusion it defines is served. Returns the exit code.
 */
export async function checkRemote(url: string, token: string | undefined, config: Config | null): Promise<number> {
  let ok = true;
  const ready = await call(url, '/readyz', { method: 'GET' });
  const readiness = ready.json as { ready?: boolean; sources?: Record<string, string> } | null;
  for (const [source, status] of Object.entries(readiness?.sources ?? {})) console.log(`${status === 'ok' ? 'ok ' : 'ERR'} source ${source}: ${status}`);
  if (ready.status !== 200 || readiness?.ready !== true) {
    console.error(`the server at ${url} is not ready (HTTP ${ready.status})`);
    ok = false;
  }
  const listed = await call(url, new URL(url).pathname, graphql('{ _datasets { name kind } }', token));
  const body = listed.json as { data?: { _datasets?: ServedDataset[] }; errors?: { message: string; extensions?: { code?: string } }[] } | null;
  const served = body?.data?._datasets;
  if (!served) {
    for (const e of body?.errors ?? [{ message: `HTTP ${listed.status}` }]) console.error(`error [${e.extensions?.code ?? 'UNKNOWN'}]: ${e.message}`);
    return 1;
  }
  const names = new Set(served.map((d) => d.name));
  for (const d of served) console.log(`ok  ${d.name}: ${d.kind} served by ${url}`);
  for (const name of [...Object.keys(config?.datasets ?? {}), ...Object.keys(config?.fusions ?? {})]) {
    if (names.has(name)) continue;
    console.error(`ERR ${name}: in the config but not served by ${url}`);
    ok = false;
  }
  return ok ? 0 : 1;
}

/** Explains through the server's POST /explain, printing what a local explain prints. Returns the exit code. */
export async function explainRemote(url: string, token: string | undefined, query: string, variables: Record<string, unknown>): Promise<number> {
  const answer = await call(url, '/explain', { method: 'POST', headers: headers(token), body: JSON.stringify({ query, variables }) });
  const body = answer.json as { plans?: { text: string }[]; errors?: { message: string; extensions?: { code?: string } }[] } | null;
  if (!body) {
    console.error(`error: ${new URL('/explain', url).href} answered HTTP ${answer.status} without JSON; is it a Tributary server?`);
    return 1;
  }
  console.log((body.plans ?? []).map((p) => p.text).join('\n\n'));
  for (const e of body.errors ?? []) console.error(`error [${e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'}]: ${e.message}`);
  return (body.errors ?? []).length > 0 ? 1 : 0;
}

function graphql(query: string, token: string | undefined): RequestInit {
  return { method: 'POST', headers: headers(token), body: JSON.stringify({ query }) };
}

function headers(token: string | undefined): Record<string, string> {
  return { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

/** One request with a deadline; a server that is not there is reported, not thrown. */
async function call(url: string, path: string, init: RequestInit): Promise<{ status: number; json: unknown }> {
  const target = new URL(path, url);
  try {
    const response = await fetch(target, { ...init, signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    try {
      return { status: response.status, json: JSON.parse(text) };
    } catch {
      return { status: response.status, json: null };
    }
  } catch (error) {
    console.error(`error: cannot reach ${target.href}: ${(error as Error).message}`);
    process.exit(2);
  }
}
