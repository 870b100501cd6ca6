import { createBenchKeys } from './authTokens.ts';
import { dataOrThrow, startBenchGateway, type BenchGateway, type GraphQLResponse } from './benchGateway.ts';
import { DASHBOARD_SESSION } from './dashboardSession.ts';
import { createKeepAliveClient, graphqlBody, type KeepAliveClient } from './keepAliveClient.ts';
import { runRotated, type Contender } from './runRotated.ts';
import { countersBetween, scrapeCounters } from './scrapeCounters.ts';
import { medianMs, summarize, type Summary } from './stats.ts';

/** The session's opening view (revenue, orders by region × month, 2024): the query every dashboard load sends. */
export const AUTH_COST_QUERY = DASHBOARD_SESSION[0]!.document;

/** Calls of gateway.authenticate per token when timing verification on its own. */
const VERIFY_CALLS = 2_000;

export interface AuthCostVariant {
  readonly name: string;
  readonly latency: Summary;
  /** Median over iterations of (this variant's time − the open gateway's time in the same iteration), ms. */
  readonly pairedDeltaMs: number;
  /** Median µs of the gateway's own `authenticate(authorization)` on this variant's token, in process; null without auth. */
  readonly verifyMicros: number | null;
}

export interface AuthCost {
  readonly query: string;
  readonly rows: number;
  readonly resultBytes: number;
  readonly iterations: number;
  readonly warmup: number;
  /** The `regions` claim of the tenant token: every region of the answer, so the policy applies and the answer is unchanged. */
  readonly tenantRegions: readonly string[];
  /** (a) no auth first; the rest are compared with it. */
  readonly variants: readonly AuthCostVariant[];
}

const ROLES = `
roles:
  admin: "*"
  tenant:
    sales: { rows: { region: { in: "$claims.regions" } } }
`;

interface Side {
  readonly name: string;
  readonly bench: BenchGateway;
  readonly client: KeepAliveClient;
  readonly authorization: string | null;
  expected: Buffer;
}

/**
 * p50/p95 of one cached query (a HIT on a core warmed by `cache: REFRESH`) over HTTP on
 * (a) a gateway without auth, (b) a gateway with an HS256 secret and an admin ("*") token,
 * (c) the same gateway with a tenant token whose row policy applies (a HIT on the tenant's
 * own core, which carries the policy), (d) a gateway verifying RS256 against a local JWKS
 * file, admin token. The four run in rotation, one request at a time, each with its own
 * keep-alive connection; every answer must equal (a)'s byte for byte, and /metrics must show
 * only HITs and no source query over the timed runs.
 */
export async function measureAuthCost(pgUrl: string, table: string, iterations: number, warmup: number): Promise<AuthCost> {
  const keys = await createBenchKeys();
  const closers: (() => unknown)[] = [() => keys.dispose()];
  const start = async (access?: string) => {
    const bench = await startBenchGateway(pgUrl, table, access === undefined ? {} : { access });
    closers.push(() => bench.close());
    return bench;
  };
  const side = (name: string, bench: BenchGateway, authorization: string | null): Side => {
    const client = createKeepAliveClient(new URL(bench.server.url).origin, 1, authorization ? { authorization } : {});
    closers.push(() => client.close());
    return { name, bench, client, authorization, expected: Buffer.alloc(0) };
  };
  try {
    const open = await start();
    const hs = await start(`auth: { jwt: { secret: "${keys.secret}" } }${ROLES}`);
    const rs = await start(`auth: { jwt: { jwks: ${JSON.stringify(keys.jwksPath)} } }${ROLES}`);

    const a = side('(a) no auth', open, null);
    a.expected = await warm(a);
    const data = dataOrThrow(JSON.parse(a.expected.toString()) as GraphQLResponse, 'auth cost query');
    const rows = data.sales.rows as { region: string }[];
    const tenantRegions = [...new Set(rows.map((r) => r.region))].sort();

    const sides = [
      a,
      side('(b) auth, HS256, admin ("*")', hs, `Bearer ${await keys.signHs256({ role: 'admin' })}`),
      side('(c) auth, HS256, tenant (row policy)', hs, `Bearer ${await keys.signHs256({ role: 'tenant', regions: tenantRegions })}`),
      side('(d) auth, RS256 local JWKS, admin', rs, `Bearer ${await keys.signRs256({ role: 'admin' })}`),
    ];
    for (const s of sides.slice(1)) {
      s.expected = await warm(s);
      if (!s.expected.equals(a.expected)) {
        throw new Error(`auth cost: ${s.name} answered differently from (a): ${s.expected.toString().slice(0, 300)}`);
      }
    }

    const gateways = [...new Set(sides.map((s) => s.bench))];
    const scrapeClient = (g: BenchGateway) => sides.find((s) => s.bench === g)!.client;
    const before = await Promise.all(gateways.map((g) => scrapeCounters(scrapeClient(g))));
    const body = graphqlBody(AUTH_COST_QUERY);
    const contenders: Contender[] = sides.map((s) => ({
      name: s.name,
      async run() {
        const { status, body: answer } = await s.client.post('/graphql', body);
        if (status !== 200 || !answer.equals(s.expected)) throw new Error(`auth cost: ${s.name} answered ${status}: ${answer.toString().slice(0, 300)}`);
        return rows.length;
      },
    }));
    const timed = await runRotated(contenders, iterations, warmup);
    for (const [i, g] of gateways.entries()) {
      const between = countersBetween(before[i]!, await scrapeCounters(scrapeClient(g)));
      const expectedHits = sides.filter((s) => s.bench === g).length * (iterations + warmup);
      const answered = Object.values(between.cacheOutcomes).reduce((n, x) => n + x, 0);
      if (between.sourceQueries !== 0 || between.cacheOutcomes.HIT !== expectedHits || answered !== expectedHits) {
        throw new Error(`auth cost: expected ${expectedHits} HITs and no source query; saw ${JSON.stringify(between.cacheOutcomes)} and ${between.sourceQueries} source queries`);
      }
    }

    const variants: AuthCostVariant[] = [];
    for (const [i, s] of sides.entries()) {
      const authenticate = s.bench.gateway.authenticate;
      const verifyMs = authenticate && s.authorization ? await medianMs(() => authenticate(s.authorization!), VERIFY_CALLS) : null;
      variants.push({
        name: s.name,
        latency: summarize(timed.samples[i]!),
        pairedDeltaMs: summarize(timed.samples[i]!.map((ms, k) => ms - timed.samples[0]![k]!)).p50,
        verifyMicros: verifyMs === null ? null : verifyMs * 1000,
      });
    }
    return { query: AUTH_COST_QUERY, rows: rows.length, resultBytes: a.expected.length, iterations, warmup, tenantRegions, variants };
  } finally {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
  }
}

/** Stores the side's own core (`cache: REFRESH`), then returns its HIT answer (`cache: DEFAULT`). */
async function warm(s: Side): Promise<Buffer> {
  const refresh = await s.client.post('/graphql', graphqlBody(AUTH_COST_QUERY.replace('sales(', 'sales(cache: REFRESH, ')));
  dataOrThrow(JSON.parse(refresh.body.toString()) as GraphQLResponse, `${s.name}, cache: REFRESH`);
  const hit = await s.client.post('/graphql', graphqlBody(AUTH_COST_QUERY));
  if (hit.status !== 200) throw new Error(`auth cost: ${s.name} answered ${hit.status}: ${hit.body.toString().slice(0, 300)}`);
  dataOrThrow(JSON.parse(hit.body.toString()) as GraphQLResponse, s.name);
  return hit.body;
}
