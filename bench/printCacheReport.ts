import type { Interaction } from './dashboardSession.ts';
import type { CachedThroughput } from './measureCachedThroughput.ts';
import type { HitVsMiss } from './measureHitVsMiss.ts';
import type { HitVsYoga } from './measureHitVsYoga.ts';
import type { InteractionResult, SessionResult } from './runSession.ts';
import { summarize } from './stats.ts';

export const TARGETS = Object.freeze({
  /** Share of the session's interactions Tributary answers with no source call. */
  noSourceShare: 0.8,
  /** MISS p50 / HIT p50 of the heaviest query. */
  hitSpeedup: 50,
  /** Cached Tributary requests/s over trivial Yoga requests/s, 16 in flight. */
  throughputShare: 0.7,
  /** HIT p50 over the p50 of a bare Yoga serving the same rows as plain objects, at each size. */
  hitOverBareYoga: 1.0,
});

export interface CacheBenchReport {
  readonly server: string;
  readonly table: string;
  readonly method: string;
  readonly session: readonly Interaction[];
  readonly tributary: SessionResult;
  /** Diagnostic: A with `cache.maxCoreRows` so high that no core is pushed down. */
  readonly noPushdown: SessionResult;
  readonly diagnosticMaxCoreRows: number;
  /** The source's group estimate for interaction 1's core, and the groups it really has. */
  readonly openingEstimate: { readonly estimatedGroups: number | null; readonly actualGroups: number; readonly maxCoreRows: number };
  readonly responseCache: SessionResult;
  readonly responseCacheTtl: string;
  /** One line per interaction whose answer from A or A′ differs from B's. */
  readonly differences: readonly string[];
  readonly hitVsMiss: HitVsMiss;
  readonly throughput: CachedThroughput;
  /** A HIT against a bare Yoga serving the same rows, at 13 and at 10,000 rows. */
  readonly hitVsYoga: readonly HitVsYoga[];
}

const ms = (x: number) => x.toFixed(2);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const touchedSource = (r: InteractionResult) => r.sourceQueries > 0 || r.estimates > 0;
const noSourceShare = (s: SessionResult) => s.interactions.filter((r) => !touchedSource(r)).length / s.interactions.length;

/** The cache benchmark's report as plain text. */
export function formatCacheReport(r: CacheBenchReport): string {
  const out: string[] = [];
  out.push('Tributary cache benchmark: a scripted dashboard session, HIT vs MISS, cached throughput');
  out.push(`  server    ${r.server}`, `  table     ${r.table}`, `  method    ${r.method}`);

  out.push('', `== 1. Dashboard session: ${r.session.length} interactions, each gateway cold at the start ==`);
  out.push('  A = Tributary, result cache on (cache: DEFAULT)');
  out.push(`  B = the same gateway with cache: { enabled: false } and Yoga's useResponseCache({ session: () => null, ttl: ${r.responseCacheTtl} })`);
  out.push(`  A′ = diagnostic: A with cache.maxCoreRows: ${r.diagnosticMaxCoreRows.toLocaleString('en-US')}, so no source estimate pushes a core down`);
  out.push('  src = source queries (tributary_source_queries_total difference); "+1e" = planner row estimates (EXPLAIN), not in that metric');
  out.push('');
  out.push(`  ${'#'.padStart(2)}  ${'what the user did'.padEnd(48)}${'A: plans answered'.padEnd(20)}${'src'.padStart(6)}${'ms'.padStart(9)}  |${'A′ src'.padStart(7)}  |${'B: src'.padStart(7)}${'ms'.padStart(9)}`);
  r.session.forEach((step, i) => {
    const a = r.tributary.interactions[i]!;
    const b = r.responseCache.interactions[i]!;
    const a2 = r.noPushdown.interactions[i]!;
    const src2 = `${a2.sourceQueries}${a2.estimates ? `+${a2.estimates}e` : ''}`;
    const what = `${step.what}${step.repeats ? ` (= #${step.repeats})` : ''}`;
    const outcomes = Object.entries(a.cacheOutcomes).map(([o, n]) => (n > 1 ? `${o}×${n}` : o)).join(' ');
    const src = `${a.sourceQueries}${a.estimates ? `+${a.estimates}e` : ''}`;
    out.push(`  ${String(i + 1).padStart(2)}  ${clip(what, 47).padEnd(48)}${outcomes.padEnd(20)}${src.padStart(6)}${ms(a.ms).padStart(9)}  |${src2.padStart(7)}  |${String(b.sourceQueries).padStart(7)}${ms(b.ms).padStart(9)}`);
  });
  const repeats = r.session.filter((s) => s.repeats !== null).length;
  out.push('');
  const sessions = [['A Tributary', r.tributary], ['A′ diagnostic', r.noPushdown], ['B response cache', r.responseCache]] as const;
  for (const [name, s] of sessions) out.push(...formatSession(name, s));
  out.push(`  exact repeats in the session: ${repeats} (all a response cache can answer)`);
  const onlyA = r.session.map((_, i) => i).filter((i) => touchedSource(r.tributary.interactions[i]!) && !touchedSource(r.noPushdown.interactions[i]!));
  if (onlyA.length > 0) {
    const e = r.openingEstimate;
    const n = (x: number | null) => (x === null ? 'none' : x.toLocaleString('en-US'));
    out.push(
      `  A went to the source in ${onlyA.length} interactions that A′ answered from its cache (#${onlyA.map((i) => i + 1).join(', #')}).`,
      '    A and A′ differ only in cache.maxCoreRows: A fetched those cores with order/limit pushed down (the source estimated',
      '    more groups than maxCoreRows), and a pushed-down core answers nothing but its own plan.',
      `    Source estimate for #1's core: ${n(e.estimatedGroups)} groups; it has ${n(e.actualGroups)}; maxCoreRows ${n(e.maxCoreRows)}.`,
    );
  }
  out.push(
    r.differences.length === 0
      ? `  answers: A, A′ and B returned the same data for all ${r.session.length} interactions (numbers within 1e-9 relative)`
      : `  answers DIFFER from B's in ${r.differences.length} cases:\n${r.differences.map((d) => `    ${d}`).join('\n')}`,
  );

  const h = r.hitVsMiss;
  const speedup = h.miss.p50 / h.hit.p50;
  out.push('', '== 2. HIT vs MISS: the heaviest query over the whole table (A, over HTTP) ==');
  out.push('  rows { region month: orderDate(granularity: MONTH) revenue orders avgPrice } over all 1M rows, no filter');
  out.push(`  result ${h.rows} rows; MISS = cache: REFRESH (source query, entry replaced), HIT = cache: DEFAULT; ${h.miss.n} runs each, interleaved`);
  out.push(`  source queries during the runs: ${h.sourceQueries} (expected ${h.missRuns}: one per MISS run, none per HIT)`);
  out.push(`  ${'ms'.padEnd(12)}${['p50', 'p95', 'min', 'max'].map((x) => x.padStart(10)).join('')}`);
  for (const [name, s] of [['MISS', h.miss], ['HIT', h.hit]] as const) {
    out.push(`  ${name.padEnd(12)}${[s.p50, s.p95, s.min, s.max].map((x) => ms(x).padStart(10)).join('')}`);
  }
  out.push(`  HIT is ${speedup.toFixed(1)}× faster than MISS at p50 (target >= ${TARGETS.hitSpeedup}×)`);

  out.push(...formatThroughput(r.throughput), ...formatHitVsYoga(r.hitVsYoga));

  const t = r.throughput;
  const share = t.tributary.perSecond / t.hello.perSecond;
  const noSource = noSourceShare(r.tributary);
  out.push('', '== Summary ==');
  out.push(`  A: interactions with no source call       ${pct(noSource).padStart(9)}   target >= ${pct(TARGETS.noSourceShare)}   ${verdict(noSource >= TARGETS.noSourceShare)}`);
  out.push(`  A′ (diagnostic, no pushdown): no source    ${pct(noSourceShare(r.noPushdown)).padStart(9)}   (what A would reach without the pushdown decision)`);
  out.push(`  B: interactions with no source call       ${pct(noSourceShare(r.responseCache)).padStart(9)}   (exact repeats: ${pct(repeats / r.session.length)})`);
  out.push(
    `  source queries in the session             A ${r.tributary.sourceQueries} (+${r.tributary.estimates} estimates), ` +
      `A′ ${r.noPushdown.sourceQueries} (+${r.noPushdown.estimates}), B ${r.responseCache.sourceQueries}`,
  );
  out.push(`  p50 per interaction                       A ${ms(p50(r.tributary))} ms, A′ ${ms(p50(r.noPushdown))} ms, B ${ms(p50(r.responseCache))} ms`);
  out.push(`  session time                              A ${ms(total(r.tributary))} ms, A′ ${ms(total(r.noPushdown))} ms, B ${ms(total(r.responseCache))} ms`);
  out.push(`  HIT vs MISS p50, heaviest query           ${`${speedup.toFixed(1)}×`.padStart(9)}   target >= ${TARGETS.hitSpeedup}×      ${verdict(speedup >= TARGETS.hitSpeedup)}`);
  out.push(`  cached throughput / Yoga hello (${String(t.concurrency).padStart(2)} in flight) ${pct(share).padStart(9)}   target >= ${pct(TARGETS.throughputShare)}   ${verdict(share >= TARGETS.throughputShare)}`);
  for (const x of r.hitVsYoga) {
    const ratio = x.hit.p50 / x.yoga.p50;
    out.push(`  HIT / bare Yoga p50, ${x.shape.name.padEnd(20)}${`${ratio.toFixed(2)}×`.padStart(9)}   target <= ${TARGETS.hitOverBareYoga.toFixed(1)}×     ${verdict(ratio <= TARGETS.hitOverBareYoga)}`);
  }
  out.push(`  answers of A and A′ differing from B's    ${String(r.differences.length).padStart(9)}   expected 0        ${verdict(r.differences.length === 0)}`);
  return out.join('\n');
}

/** Section 3: requests/s of a cached query against a trivial Yoga. */
export function formatThroughput(t: CachedThroughput): string[] {
  const out: string[] = [];
  const share = t.tributary.perSecond / t.hello.perSecond;
  out.push('', '== 3. Cached throughput over HTTP ==');
  out.push(`  ${t.concurrency} requests in flight from this process, node:http keep-alive client, ABBA legs, pooled`);
  out.push(`  Tributary HIT: ${t.query} (${t.resultBytes}-byte response)`);
  out.push('  Yoga floor:    { hello } on a bare createYoga, same client, same process');
  for (const [name, x] of [['Tributary HIT', t.tributary], ['Yoga hello', t.hello]] as const) {
    out.push(
      `  ${name.padEnd(14)}${x.perSecond.toFixed(0).padStart(7)} req/s  (${x.requests} requests in ${x.seconds.toFixed(1)} s); ` +
        `${x.cpuMicrosPerRequest.toFixed(0)} µs of process CPU per request (server + client)`,
    );
  }
  const pairs = [...t.pairRatios].sort((x, y) => x - y);
  const cpuShare = t.hello.cpuMicrosPerRequest / t.tributary.cpuMicrosPerRequest;
  out.push(`  ratio ${pct(share)} (target >= ${pct(TARGETS.throughputShare)}); per pair of adjacent legs ${pct(pairs[0]!)} to ${pct(pairs[pairs.length - 1]!)}`);
  out.push(`  by CPU per request (hello / Tributary, robust to other load on the machine): ${pct(cpuShare)}`);

  return out;
}

/** Section 4: a HIT against a bare Yoga serving the same rows, at each size. */
export function formatHitVsYoga(hitVsYoga: readonly HitVsYoga[]): string[] {
  const out: string[] = [];
  out.push('', '== 4. A cached answer against a bare Yoga serving the same rows ==');
  out.push('  Tributary HIT (graphql-jit compiled query) vs createYoga + graphql-js with default resolvers over the same rows as plain objects in memory;');
  out.push('  same node:http keep-alive client, one request at a time, interleaved; every response of both byte-identical to the gateway\'s first');
  out.push(`  ${'size'.padEnd(14)}${'bytes'.padStart(10)}${'HIT p50'.padStart(10)}${'HIT p95'.padStart(10)}${'Yoga p50'.padStart(10)}${'Yoga p95'.padStart(10)}${'ratio'.padStart(8)}`);
  for (const x of hitVsYoga) {
    out.push(
      `  ${x.shape.name.padEnd(14)}${String(x.responseBytes).padStart(10)}${ms(x.hit.p50).padStart(10)}${ms(x.hit.p95).padStart(10)}${ms(x.yoga.p50).padStart(10)}${ms(x.yoga.p95).padStart(10)}${`${(x.hit.p50 / x.yoga.p50).toFixed(2)}×`.padStart(8)}`,
    );
  }
  for (const x of hitVsYoga) out.push(`  ${x.shape.name}: ${x.query} (${x.hit.n} runs each)`);

  return out;
}

const p50 = (s: SessionResult) => summarize(s.interactions.map((r) => r.ms)).p50;
const total = (s: SessionResult) => s.interactions.reduce((sum, r) => sum + r.ms, 0);

function formatSession(name: string, s: SessionResult): string[] {
  const n = s.interactions.length;
  const quiet = s.interactions.filter((r) => !touchedSource(r));
  const loud = s.interactions.filter(touchedSource);
  const all = summarize(s.interactions.map((r) => r.ms));
  const p50Of = (rs: readonly InteractionResult[]) => (rs.length ? `${ms(summarize(rs.map((r) => r.ms)).p50)} ms` : '-');
  return [
    `  ${name}: ${s.sourceQueries} source queries${s.estimates ? ` and ${s.estimates} row estimates` : ''}; ` +
      `${quiet.length}/${n} interactions (${pct(quiet.length / n)}) with no source call`,
    `    latency per interaction p50 ${ms(all.p50)} ms, p95 ${ms(all.p95)} ms, max ${ms(all.max)} ms; ` +
      `p50 without a source call ${p50Of(quiet)}, with one ${p50Of(loud)}; session ${ms(total(s))} ms`,
  ];
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
