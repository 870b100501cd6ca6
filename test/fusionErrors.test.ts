/**
 * Failures around fusions and files: a fusion member whose source is down (the error names
 * the source; the healthy member's result stays cached), CSV files with malformed rows (a
 * clear SOURCE_ERROR, and the server keeps serving), and invalid fusion, file and relation
 * configs (one exact line each).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigErrors } from '../errors/index.ts';
import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer } from '../server/index.ts';
import { captureLog } from './support/captureLog.ts';
import { readMetric } from './support/readMetric.ts';
import type { GraphQLResponse, TestGateway } from './support/testGateway.ts';

const CONFIG = (dir: string) => `
sources:
  broken: { kind: postgres, url: "postgres://postgres@127.0.0.1:1/test" }
  files: { kind: duckdb }
datasets:
  plans:
    source: broken
    table: plans
    dimensions: { region: { type: string }, month: { type: time, granularity: month } }
    measures: { planned: { sum: planned } }
  actuals:
    source: files
    file: ${JSON.stringify(path.join(dir, 'actuals.csv'))}
    dimensions: { region: { type: string }, month: { type: time, granularity: month } }
    measures: { actual: { sum: actual } }
  badWidth:
    source: files
    file: ${JSON.stringify(path.join(dir, 'bad-width.csv'))}
    dimensions: { id: { type: number } }
    measures: { total: { sum: amount } }
  badValue:
    source: files
    file: ${JSON.stringify(path.join(dir, 'bad-value.csv'))}
    dimensions: { id: { type: number } }
    measures: { total: { sum: amount } }
fusions:
  plansVsActuals:
    join: full
    keys: { region: string, month: time }
    members:
      plans: { region: region, month: month }
      actuals: { region: region, month: month }
`;

/** 30,000 good rows with one bad row at line 25,001: past DuckDB's type sniffing sample. */
function csvWithBadRow(bad: string): string {
  const lines = ['id,name,amount', ...Array.from({ length: 30_000 }, (_, i) => `${i},n${i},${i % 100}`)];
  lines[25_001] = bad;
  return lines.join('\n') + '\n';
}

describe('fusion and file failures at query time', () => {
  let gw: TestGateway;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tributary-fusion-errors-'));
    const actuals = ['North', 'South'].flatMap((region, r) => Array.from({ length: 12 }, (_, m) => `${region},2024-${String(m + 1).padStart(2, '0')}-01,${100 * r + m}`));
    await writeFile(path.join(dir, 'actuals.csv'), ['region,month,actual', ...actuals].join('\n') + '\n');
    await writeFile(path.join(dir, 'bad-width.csv'), csvWithBadRow('25000,n25000,3,4'));
    await writeFile(path.join(dir, 'bad-value.csv'), csvWithBadRow('25000,n25000,abc'));
    const gateway = await createGateway(parseConfig(CONFIG(dir), { env: {} }), { check: false });
    const server = await startServer(gateway, { port: 0, host: '127.0.0.1' });
    gw = {
      gateway,
      server,
      query: async (query, variables = {}) => {
        const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) };
        return (await (await fetch(server.url, init)).json()) as GraphQLResponse;
      },
      close: async () => (await server.close(), await gateway.close()),
    };
  });

  afterAll(async () => {
    await gw?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a member source that is down fails the fusion with SOURCE_UNAVAILABLE naming it; the other member stays cached', async () => {
    const where = { region: { in: ['North', 'South'] } };
    const fused = await gw.query(
      `query ($where: PlansVsActualsWhere) { plansVsActuals(where: $where) { rows { region month(granularity: QUARTER) planned actual } } }`,
      { where },
    );
    expect(fused.errors).toHaveLength(1);
    expect(fused.errors![0]!.extensions?.code).toBe('SOURCE_UNAVAILABLE');
    expect(fused.errors![0]!.message).toBe('source broken is unavailable');

    const before = await readMetric(gw, 'tributary_source_queries_total', { source: 'files' });
    const alone = await gw.query(
      `query ($where: ActualsWhere) { actuals(where: $where) { rows { region month(granularity: QUARTER) actual } meta { cache sources { source } } } }`,
      { where },
    );
    expect(alone.errors).toBeUndefined();
    expect(['HIT', 'DERIVED']).toContain(alone.data.actuals.meta.cache);
    expect(alone.data.actuals.meta.sources).toEqual([]);
    expect(await readMetric(gw, 'tributary_source_queries_total', { source: 'files' })).toBe(before);
    expect(alone.data.actuals.rows).toHaveLength(8);
    expect(alone.data.actuals.rows[0]).toEqual({ region: 'North', month: '2024-01-01T00:00:00+00:00', actual: 0 + 1 + 2 });
  });

  it.each([
    { dataset: 'badWidth', problem: /Expected Number of Columns: 3 Found: 4/ },
    { dataset: 'badValue', problem: /Could not convert string "abc"/ },
  ])('a CSV with a malformed row ($dataset) gives SOURCE_ERROR; the log names the line; the server keeps serving', async ({ dataset, problem }) => {
    const log = captureLog();
    const response = await gw.query(`{ ${dataset} { rows { id total } } }`).finally(() => log.stop());
    expect(response.errors).toHaveLength(1);
    const [error] = response.errors!;
    expect(error!.extensions?.code).toBe('SOURCE_ERROR');
    // DuckDB's text names server paths: the client gets the stable message, the log the details.
    expect(error!.message).toBe('source files could not run the query');
    const logged = log.forRequest(String(error!.extensions?.requestId)).map((l) => l.err?.message ?? '');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/CSV Error on Line: 25002/);
    expect(logged[0]).toMatch(problem);

    const healthy = await gw.query(`{ actuals(where: { region: { eq: "South" } }) { totals { actual } } }`);
    expect(healthy.errors).toBeUndefined();
    expect(healthy.data.actuals.totals.actual).toBe(12 * 100 + 66);
  });
});

const SOURCES = 'sources:\n  wh: { kind: postgres, url: "postgres://u@h/db" }\n  files: { kind: duckdb }\n';
const SALES = 'sales: { source: wh, table: sales, dimensions: { region: { type: string }, day: { type: time }, qty: { type: number } }, measures: { revenue: { sum: amount } } }';
const TARGETS = 'targets: { source: files, file: t.csv, dimensions: { region: { type: string }, month: { type: time, granularity: month } }, measures: { target: { sum: target } } }';
const config = ({ sales = SALES, targets = TARGETS, extra = '', fusion = '' }) =>
  `${SOURCES}datasets:\n  ${sales}\n  ${targets}\n${extra}${fusion ? `fusions:\n  f: ${fusion}\n` : ''}`;
const MEMBERS = 'sales: { region: region, month: day }, targets: { region: region, month: month }';

const CONFIG_CASES = [
  {
    name: 'a string key mapped to a number dimension',
    yaml: config({ fusion: '{ keys: { region: string }, members: { sales: { region: qty }, targets: { region: region } } }' }),
    line: 'fusions.f.members.sales.region: key "region" is string but sales.qty is number',
  },
  {
    name: 'measure names colliding across members',
    yaml: config({ targets: TARGETS.replace('target: { sum: target }', 'revenue: { sum: target }'), fusion: `{ keys: { region: string, month: time }, members: { ${MEMBERS} } }` }),
    line: 'fusions.f.members.targets: measure "revenue" is in both sales and targets; fused measures need distinct names',
  },
  {
    name: 'an unknown member dataset',
    yaml: config({ fusion: '{ keys: { region: string }, members: { sales: { region: region }, nope: { region: region } } }' }),
    line: 'fusions.f.members.nope: unknown dataset "nope"; defined datasets: sales, targets',
  },
  {
    name: 'a key missing for a member',
    yaml: config({ fusion: '{ keys: { region: string, month: time }, members: { sales: { region: region, month: day }, targets: { region: region } } }' }),
    line: 'fusions.f.members.targets: no dimension given for key "month"; write month: <dimension of targets>',
  },
  {
    name: 'time keys in different time zones',
    yaml: config({ sales: SALES.replace('table: sales,', 'table: sales, timezone: Europe/Berlin,'), fusion: `{ keys: { region: string, month: time }, members: { ${MEMBERS} } }` }),
    line: 'fusions.f.members.targets.month: time keys need one time zone; targets uses UTC, an earlier member Europe/Berlin',
  },
  {
    name: 'a file: dataset on a postgres source',
    yaml: config({ targets: TARGETS.replace('source: files', 'source: wh') }),
    line: 'datasets.targets.file: file: datasets need a duckdb source; this one is postgres',
  },
  {
    name: 'a file of unknown format',
    yaml: config({ targets: TARGETS.replace('t.csv', 'targets.xlsx') }),
    line: 'datasets.targets.file: cannot tell the format of "targets.xlsx"; name it .csv, .parquet or .json',
  },
  {
    name: 'a relation to an unknown dataset',
    yaml: config({ sales: SALES.replace(' }, measures:', ' }, relations: { info: { dataset: regions, on: { region: region } } }, measures:') }),
    line: 'datasets.sales.relations.info.dataset: unknown dataset "regions"; defined datasets: sales, targets',
  },
  {
    name: 'a relation whose key types differ',
    yaml: config({ sales: SALES.replace(' }, measures:', ' }, relations: { info: { dataset: targets, on: { qty: region } } }, measures:') }),
    line: 'datasets.sales.relations.info.on.qty: sales.qty is number but targets.region is string',
  },
];

describe('invalid fusion, file and relation configs (parseConfig)', () => {
  it.each(CONFIG_CASES)('$name', ({ yaml, line }) => {
    let error: unknown;
    try {
      parseConfig(yaml, { env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigErrors);
    expect((error as ConfigErrors).errors.map((e) => e.message)).toEqual([line]);
  });

  it('the cases are valid once fixed: the base config parses', () => {
    expect(Object.keys(parseConfig(config({ fusion: `{ keys: { region: string, month: time }, members: { ${MEMBERS} } }` }), { env: {} }).fusions)).toEqual(['f']);
  });
});
