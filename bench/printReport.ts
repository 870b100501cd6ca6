import type { ComponentProfile } from './profileComponents.ts';
import type { Summary } from './stats.ts';
import type { RequestTrace } from './traceRequests.ts';
import type { TransportFloor } from './transportFloor.ts';

export interface QueryReport {
  readonly title: string;
  readonly document: string;
  readonly sql: string;
  readonly params: readonly unknown[];
  /** Top of Postgres's plan for the SQL, e.g. `Sort > HashAggregate > Seq Scan on sales`. */
  readonly pgPlan: string;
  readonly resultRows: number;
  readonly gateway: Summary;
  readonly direct: Summary;
  /** Gateway minus direct time of the same iteration: robust to drift that hits both. */
  readonly paired: Summary;
  /** A bare node:http server running the hand-written statement (short queries only). */
  readonly floor: TransportFloor | null;
  readonly trace: RequestTrace | null;
  readonly profile: ComponentProfile | null;
  readonly profileIterations: number;
}

export interface BenchReport {
  readonly server: string;
  readonly table: string;
  readonly gatewayUrl: string;
  readonly method: string;
  readonly targetRatio: number;
  readonly queries: readonly QueryReport[];
}

const ms = (x: number, digits = 2): string => x.toFixed(digits);
const pad = (s: string, n: number): string => s.padStart(n);
const indent = (text: string, by = '    '): string => text.replace(/^/gm, by);

export const ratioOf = (q: QueryReport): number => q.gateway.p50 / q.direct.p50;
export const verdict = (q: QueryReport, target: number): 'PASS' | 'MISS' => (ratioOf(q) <= target ? 'PASS' : 'MISS');

/** The benchmark's report as plain text, one line per figure. */
export function formatReport(report: BenchReport): string {
  const out: string[] = [];
  out.push('Tributary query benchmark: gateway over HTTP vs. direct pg running a hand-written aggregate');
  out.push(`  server    ${report.server}`);
  out.push(`  table     ${report.table}`);
  out.push(`  gateway   ${report.gatewayUrl}`);
  out.push(`  method    ${report.method}`);
  out.push(`  target    gateway p50 / direct p50 <= ${report.targetRatio.toFixed(2)}`);
  report.queries.forEach((q, i) => {
    out.push('', `== Query ${i + 1}: ${q.title} ==`);
    out.push('  graphql:', indent(q.document.trim()));
    out.push('  sql:', indent(q.sql));
    out.push(`  params:   ${JSON.stringify(q.params)}`);
    out.push(`  pg plan:  ${q.pgPlan}`);
    out.push(`  result:   ${q.resultRows} rows (gateway and direct agree on rows and revenue)`);
    out.push('');
    out.push(`  ${'ms'.padEnd(16)}${['p50', 'p95', 'min', 'max', 'mean'].map((h) => pad(h, 10)).join('')}`);
    for (const [name, s] of [['gateway (HTTP)', q.gateway], ['direct pg', q.direct]] as const) {
      out.push(`  ${name.padEnd(16)}${[s.p50, s.p95, s.min, s.max, s.mean].map((x) => pad(ms(x), 10)).join('')}`);
    }
    out.push('');
    out.push(
      `  ratio p50 ${ratioOf(q).toFixed(3)} (target <= ${report.targetRatio.toFixed(2)}): ${verdict(q, report.targetRatio)}; ` +
        `overhead p50 ${signed(q.gateway.p50 - q.direct.p50)} ms`,
    );
    out.push(`  paired per-iteration overhead (gateway - direct of the same iteration): median ${signed(q.paired.p50)} ms, min ${signed(q.paired.min)} ms`);
    if (q.floor) {
      const f = q.floor;
      out.push(
        `  transport floor: a bare node:http server running the hand-written statement and sending the same response bytes, ` +
          `p50 ${ms(f.bareHttp.p50)} vs direct ${ms(f.direct.p50)} ms = ${(f.bareHttp.p50 / f.direct.p50).toFixed(3)}x ` +
          `(paired median ${signed(f.paired.p50)} ms): what HTTP alone costs here, before Yoga, GraphQL or planning`,
      );
    }
    if (q.trace) out.push('', ...formatTrace(q.trace));
    if (q.profile) out.push('', ...formatProfile(q.profile, q.profileIterations));
  });
  out.push('', '== Summary ==');
  for (const [i, q] of report.queries.entries()) {
    out.push(
      `  Query ${i + 1}  gateway p50 ${pad(ms(q.gateway.p50), 8)} ms  direct p50 ${pad(ms(q.direct.p50), 8)} ms  ` +
        `ratio ${ratioOf(q).toFixed(3)}  overhead ${pad(signed(q.gateway.p50 - q.direct.p50), 7)} ms  ${verdict(q, report.targetRatio)}`,
    );
  }
  return out.join('\n');
}

const line = (label: string, value: number, digits = 3) => `    ${label.padEnd(72)}${pad(ms(value, digits), 9)} ms`;

function formatTrace(t: RequestTrace): string[] {
  const own = t.clientToServer + t.serverToSource + t.sourceToResponse + t.responseToClient;
  return [
    `  where a real gateway request's time goes (medians of ${t.requests} traced requests, each beside a direct query):`,
    line("client request -> server 'request' event (loopback, HTTP parse)", t.clientToServer),
    line('request -> source called (Yoga, GraphQL parse/validate/execute, plan)', t.serverToSource),
    line('source.execute (pool, pg round trip, rowsToArrow)', t.source),
    line('  direct pg query of the same iterations', t.direct),
    line('  source.execute - direct, paired', t.sourceMinusDirect),
    line('source done -> response sent (tableToRows, completion, JSON, write)', t.sourceToResponse),
    line('response sent -> client has parsed the JSON', t.responseToClient),
    line('= time outside the source (the four segments above)', own),
    line('whole request as the client saw it', t.total),
  ];
}

function formatProfile(p: ComponentProfile, iterations: number): string[] {
  return [
    `  the gateway's components alone, source stubbed, hot loop (medians of ${iterations} runs; hot loops run faster than real requests):`,
    line('HTTP request, source stubbed with the real Arrow result', p.httpStubbed),
    line(`  bare node:http server + fetch, same ${p.responseBytes} bytes`, p.httpFloor),
    line('  GraphQL execute (selection, resolvers, tableToRows, completion)', p.execute),
    line('    of which tableToRows', p.tableToRows),
    line('  rest: Yoga (request/response adaptation, plugins, caches, JSON)', p.httpStubbed - p.httpFloor - p.execute),
    line('graphql parse + validate, uncached', p.parseValidate),
    line('buildPlan + compileSql', p.planAndCompile),
    line('rowsToArrow', p.rowsToArrow),
    line('JSON.stringify + JSON.parse of the response', p.json),
  ];
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${ms(x)}`;
}
