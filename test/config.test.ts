/**
 * Invalid configs: each is reported as ConfigErrors with one line naming the path and what
 * was expected. Then the live check against real Postgres (createGateway), and the CLI
 * (`check`, `explain`) end to end in a child process.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigErrors } from '../errors/index.ts';
import { parseConfig, pascalCase } from '../schema/index.ts';
import { createGateway } from '../server/index.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';

interface ConfigCase {
  readonly name: string;
  readonly yaml: string;
  /** One line of the ConfigErrors message, without its `  - ` bullet. */
  readonly line: string | RegExp;
  readonly env?: Record<string, string>;
}

const SOURCES = 'sources:\n  wh: { kind: postgres, url: "postgres://u@h/db" }\n';
/** A config with one dataset `sales` on source `wh`; `body` is the dataset's YAML (flow style). */
const dataset = (body: string, extra = '') => `${extra}${SOURCES}datasets:\n  sales: { source: wh, table: t, ${body} }\n`;
const COUNT = 'measures: { n: { count: "*" } }';

const CASES: readonly ConfigCase[] = [
  { name: 'YAML syntax error', yaml: 'sources: { wh: [ }\n', line: /^YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a \] at line 1, column 18:$/ },
  { name: 'duplicate YAML key', yaml: `${SOURCES}  wh: { kind: pglite }\ndatasets: {}\n`, line: /^YAML syntax: Map keys must be unique at line 3, column 3:$/ },
  { name: 'a list instead of a map', yaml: '- sources\n- datasets\n', line: 'expected a map of keys to values, got a list' },
  { name: 'unknown top-level key', yaml: dataset(COUNT, 'bogus: 1\n'), line: 'unknown key "bogus"; remove it or fix its spelling (docs/DESIGN.md lists the keys)' },
  { name: 'unknown key in a dimension', yaml: dataset('dimensions: { r: { type: string, colum: r } }'), line: 'datasets.sales.dimensions.r: unknown key "colum"; remove it or fix its spelling (docs/DESIGN.md lists the keys)' },
  { name: 'no sources', yaml: 'datasets: {}\n', line: 'sources: missing; expected a map of names to definitions' },
  { name: 'unknown source kind', yaml: 'sources:\n  wh: { kind: mysql, url: x }\ndatasets: {}\n', line: 'sources.wh.kind: expected kind: postgres, pglite, duckdb or trino' },
  { name: 'missing source url', yaml: 'sources:\n  wh: { kind: postgres }\ndatasets: {}\n', line: 'sources.wh.url: missing; expected string' },
  { name: 'empty source url', yaml: 'sources:\n  wh: { kind: postgres, url: "" }\ndatasets: {}\n', line: 'sources.wh.url: expected a postgres:// connection URL, got ""' },
  { name: 'bad duration', yaml: 'sources:\n  wh: { kind: postgres, url: x, statementTimeout: 5 minutes }\ndatasets: {}\n', line: 'sources.wh.statementTimeout: expected a duration such as 500ms, 30s, 10m, 2h or 1d, got "5 minutes"' },
  { name: 'non-numeric port', yaml: dataset(COUNT, 'server: { port: abc }\n'), line: 'server.port: expected a port number, got NaN' },
  { name: 'port out of range', yaml: dataset(COUNT, 'server: { port: 70000 }\n'), line: 'server.port: expected a port 0-65535, got 70000' },
  { name: 'maxLimit not above 0', yaml: dataset(COUNT, 'server: { maxLimit: -3 }\n'), line: 'server.maxLimit: expected a number above 0, got -3' },
  { name: 'dataset on an unknown source', yaml: `${SOURCES}datasets:\n  sales: { source: nope, table: t, ${COUNT} }\n`, line: 'datasets.sales.source: unknown source "nope"; defined sources: wh' },
  { name: 'both table and sql', yaml: dataset(`sql: "select 1", ${COUNT}`), line: 'datasets.sales: expected exactly one of table:, sql: or file:' },
  { name: 'neither table nor sql', yaml: `${SOURCES}datasets:\n  sales: { source: wh, ${COUNT} }\n`, line: 'datasets.sales: expected exactly one of table:, sql: or file:' },
  { name: 'no dimension and no measure', yaml: dataset('timezone: UTC'), line: 'datasets.sales: a dataset needs at least one dimension or measure' },
  { name: 'unknown dimension type', yaml: dataset('dimensions: { r: { type: text } }'), line: 'datasets.sales.dimensions.r.type: expected type: string, number, boolean or time, got "text"' },
  { name: 'granularity on a string dimension', yaml: dataset('dimensions: { r: { type: string, granularity: day } }'), line: 'datasets.sales.dimensions.r.granularity: only time dimensions take a granularity; r is string' },
  { name: 'unknown granularity', yaml: dataset('dimensions: { d: { type: time, granularity: fortnight } }'), line: 'datasets.sales.dimensions.d.granularity: expected one of second, minute, hour, day, week, month, quarter, year, got "fortnight"' },
  { name: 'measure with two aggregations', yaml: dataset('measures: { revenue: { sum: amount, max: amount } }'), line: 'datasets.sales.measures.revenue: expected exactly one of sum, count, countDistinct, avg, min, max (for example { sum: amount }), got sum, max' },
  { name: 'measure with an unknown aggregation', yaml: dataset('measures: { revenue: { median: amount } }'), line: 'datasets.sales.measures.revenue: expected exactly one of sum, count, countDistinct, avg, min, max (for example { sum: amount }), got median' },
  { name: 'measure with no aggregation', yaml: dataset('measures: { revenue: {} }'), line: 'datasets.sales.measures.revenue: expected exactly one of sum, count, countDistinct, avg, min, max (for example { sum: amount }), got nothing' },
  { name: 'measure over a number', yaml: dataset('measures: { revenue: { sum: 5 } }'), line: 'datasets.sales.measures.revenue.sum: expected a column name or an expression string, got 5' },
  { name: 'malformed measure expression', yaml: dataset('measures: { notional: { sum: "price * * qty" } }'), line: 'datasets.sales.measures.notional: unexpected "*" at column 9 in "price * * qty"' },
  { name: 'SQL in a measure expression', yaml: dataset('measures: { n: { sum: "amount); drop table t; --" } }'), line: 'datasets.sales.measures.n: unexpected character ";" at column 8 in "amount); drop table t; --"' },
  { name: 'unknown function in a measure', yaml: dataset('measures: { n: { sum: "sqrt(amount)" } }'), line: 'datasets.sales.measures.n: unknown function "sqrt" at column 1; known: abs, round, floor, ceil, coalesce, nullif, min, max' },
  { name: 'bad time zone', yaml: dataset(`timezone: Mars/Olympus, ${COUNT}`), line: 'datasets.sales.timezone: unknown time zone "Mars/Olympus"; use an IANA name such as UTC or Europe/Berlin' },
  { name: 'unset env var without default', yaml: 'sources:\n  wh: { kind: postgres, url: "${PG_NOPE}" }\ndatasets: {}\n', line: 'sources.wh.url: environment variable PG_NOPE is not set; set it or write ${PG_NOPE:-default}' },
  { name: 'empty env var without default', yaml: 'sources:\n  wh: { kind: postgres, url: "${PG_EMPTY}" }\ndatasets: {}\n', env: { PG_EMPTY: '' }, line: 'sources.wh.url: environment variable PG_EMPTY is not set; set it or write ${PG_EMPTY:-default}' },
  { name: 'reserved measure name calc', yaml: dataset('measures: { calc: { count: "*" } }'), line: 'datasets.sales.measures.calc: "calc" is reserved; choose another name' },
  { name: 'reserved measure name OR', yaml: dataset('measures: { OR: { count: "*" } }'), line: 'datasets.sales.measures.OR: "OR" is reserved; choose another name' },
  { name: 'reserved dimension name AND', yaml: dataset('dimensions: { AND: { type: string } }'), line: 'datasets.sales.dimensions.AND: "AND" is reserved; choose another name' },
  { name: 'dimension and measure with one name', yaml: dataset('dimensions: { region: { type: string } }, measures: { region: { count: "*" } }'), line: 'datasets.sales.measures.region: "region" is also a dimension; names must be unique within a dataset' },
  { name: 'dataset name that is not a GraphQL name', yaml: `${SOURCES}datasets:\n  my-sales: { source: wh, table: t, ${COUNT} }\n`, line: 'datasets.my-sales: a dataset name must start with a letter and use only letters, digits and _' },
  { name: 'dimension name that is not a GraphQL name', yaml: dataset('dimensions: { order-date: { type: time } }'), line: 'datasets.sales.dimensions.order-date: a dimension name must start with a letter and use only letters, digits and _' },
  { name: 'sales_x and salesX share a type name', yaml: `${SOURCES}datasets:\n  sales_x: { source: wh, table: t, ${COUNT} }\n  salesX: { source: wh, table: t, ${COUNT} }\n`, line: 'datasets.salesX: its GraphQL type name SalesX is also the type name of dataset "sales_x"; rename one' },
  { name: 'sales and Sales share a type name', yaml: `${SOURCES}datasets:\n  sales: { source: wh, table: t, ${COUNT} }\n  Sales: { source: wh, table: t, ${COUNT} }\n`, line: 'datasets.Sales: its GraphQL type name Sales is also the type name of dataset "sales"; rename one' },
];

function configErrorLines(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(yaml, { env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigErrors);
    const [head, ...lines] = (error as ConfigErrors).message.split('\n');
    expect(head).toBe('invalid configuration:');
    return lines.filter((l) => l.startsWith('  - ')).map((l) => l.slice(4));
  }
  throw new Error('expected ConfigErrors, but the config was accepted');
}

describe('invalid config files (parseConfig)', () => {
  it.each(CASES)('$name', ({ yaml, line, env }) => {
    const lines = configErrorLines(yaml, env);
    if (typeof line === 'string') expect(lines).toContain(line);
    else expect(lines.some((l) => line.test(l)), lines.join('\n')).toBe(true);
  });

  it('a malformed measure is reported once, not also as an empty dataset', () => {
    expect(configErrorLines(dataset('measures: { n: { sum: "a +" } }'))).toEqual(['datasets.sales.measures.n: expected an operand at column 4 but the expression ended']);
  });

  it('reports every problem at once, one line each', () => {
    const yaml = `${SOURCES}datasets:\n  sales: { source: nope, table: t, timezone: Nowhere, dimensions: { calc: { type: string } } }\n`;
    expect(configErrorLines(yaml)).toEqual([
      'datasets.sales.source: unknown source "nope"; defined sources: wh',
      'datasets.sales.timezone: unknown time zone "Nowhere"; use an IANA name such as UTC or Europe/Berlin',
      'datasets.sales.dimensions.calc: "calc" is reserved; choose another name',
    ]);
  });

  it('pascalCase drops underscores, so sales_x and salesX collide', () => {
    expect([pascalCase('sales_x'), pascalCase('salesX'), pascalCase('sales__x_'), pascalCase('Sales')]).toEqual(['SalesX', 'SalesX', 'SalesX', 'Sales']);
  });
});

describe('environment substitution', () => {
  const yaml = 'server: { port: "${TRIB_PORT:-4100}" }\nsources:\n  wh: { kind: postgres, url: "${TRIB_URL:-postgres://d@h/db}" }\ndatasets: {}\n';

  it('uses ${VAR:-default} when the variable is unset, and coerces numbers', () => {
    const config = parseConfig(yaml, { env: {} });
    expect(config.server.port).toBe(4100);
    expect(config.sources.wh).toMatchObject({ kind: 'postgres', url: 'postgres://d@h/db' });
  });

  it('uses the variable when set', () => {
    const config = parseConfig(yaml, { env: { TRIB_PORT: '5005', TRIB_URL: 'postgres://set@h/db' } });
    expect(config.server.port).toBe(5005);
    expect(config.sources.wh).toMatchObject({ url: 'postgres://set@h/db' });
  });

  it.each([
    ['a newline and a key', 'x\nbogus: 1\ndatasets: { evil: {} }'],
    ['": " and braces', 'a: b }, evil: { kind: pglite'],
    ['another ${VAR} reference', '${SECRET_TOKEN}'],
  ])('substitutes after parsing: a value with %s stays one string', (_, value) => {
    const config = parseConfig(yaml, { env: { TRIB_URL: value, SECRET_TOKEN: 'leaked' } });
    expect(Object.keys(config.sources)).toEqual(['wh']);
    expect(Object.keys(config.datasets)).toEqual([]);
    expect(config.sources.wh).toMatchObject({ url: value });
  });
});

const LIVE_SCHEMA = 'tributary_config';
const admin = await connectTestPostgres();
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const liveConfig = (datasets: string) => `
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
  down: { kind: postgres, url: "postgres://postgres@127.0.0.1:1/test" }
datasets:
${datasets}`;
const GOOD_DATASET = `  orders:
    source: warehouse
    table: ${LIVE_SCHEMA}.orders
    dimensions: { region: { type: string }, ts: { type: time } }
    measures: { revenue: { sum: amount }, notional: { sum: "amount * qty" } }
`;

describe.skipIf(!admin)('live config check and CLI (real Postgres)', () => {
  let dir: string;

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${LIVE_SCHEMA} cascade; create schema ${LIVE_SCHEMA};
      create table ${LIVE_SCHEMA}.orders (region text, amount numeric, qty int, ts timestamptz)`);
    dir = await mkdtemp(path.join(tmpdir(), 'tributary-config-'));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    await admin?.query(`drop schema if exists ${LIVE_SCHEMA} cascade`);
    await admin?.end();
  });

  const ordersOn = (where: string, dims: string, measures: string) =>
    `  orders:\n    source: warehouse\n    ${where}\n    dimensions: ${dims}\n    measures: ${measures}\n`;

  it.each([
    { name: 'misspelled measure column', datasets: ordersOn(`table: ${LIVE_SCHEMA}.orders`, '{ region: { type: string } }', '{ revenue: { sum: amout } }'), line: `datasets.orders.measures.revenue: unknown column "amout" in table ${LIVE_SCHEMA}.orders; its columns are: region, amount, qty, ts` },
    { name: 'misspelled column inside an expression', datasets: ordersOn(`table: ${LIVE_SCHEMA}.orders`, '{ region: { type: string } }', '{ notional: { sum: "amount * qtty" } }'), line: `datasets.orders.measures.notional: unknown column "qtty" in table ${LIVE_SCHEMA}.orders; its columns are: region, amount, qty, ts` },
    { name: 'dimension column missing from the sql', datasets: ordersOn(`sql: "select region, amount from ${LIVE_SCHEMA}.orders"`, '{ regio: { type: string } }', '{ revenue: { sum: amount } }'), line: 'datasets.orders.dimensions.regio: unknown column "regio" in the dataset sql; its columns are: region, amount' },
    { name: 'missing table', datasets: ordersOn(`table: ${LIVE_SCHEMA}.nope`, '{ region: { type: string } }', '{ revenue: { sum: amount } }'), line: `datasets.orders.table: source warehouse rejected the query: relation "${LIVE_SCHEMA}.nope" does not exist` },
    { name: 'source that is down', datasets: ordersOn(`table: ${LIVE_SCHEMA}.orders`, '{ region: { type: string } }', '{ revenue: { sum: amount } }').replace('source: warehouse', 'source: down'), line: /^datasets\.orders\.table: source down is unavailable: connect ECONNREFUSED 127\.0\.0\.1:1$/ },
  ])('createGateway reports $name with its path', async ({ datasets, line }) => {
    const error = await createGateway(parseConfig(liveConfig(datasets), { env: {} })).then(
      async (gateway) => void (await gateway.close()),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigErrors);
    const lines = (error as ConfigErrors).errors.map((e) => e.message);
    if (typeof line === 'string') expect(lines).toEqual([line]);
    else expect(lines.length === 1 && line.test(lines[0]!), lines.join('\n')).toBe(true);
  });

  it('createGateway accepts the good config', async () => {
    const gateway = await createGateway(parseConfig(liveConfig(GOOD_DATASET), { env: {} }));
    await gateway.close();
  });

  async function writeConfig(name: string, yaml: string): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, yaml);
    return file;
  }

  it('cli check: a bad config exits 2 and names the path on stderr', async () => {
    const file = await writeConfig('bad.yaml', liveConfig(ordersOn(`table: ${LIVE_SCHEMA}.orders`, '{ region: { type: string } }', '{ revenue: { sum: amout } }')));
    const run = await runCli(['check', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('invalid configuration:\n');
    expect(run.stderr).toContain(`  - datasets.orders.measures.revenue: unknown column "amout" in table ${LIVE_SCHEMA}.orders`);
    expect(run.stdout).toBe('');
  });

  it('cli check: a config that does not parse exits 2 without connecting', async () => {
    const file = await writeConfig('invalid.yaml', 'sources:\n  wh: { kind: mysql }\ndatasets: {}\n');
    const run = await runCli(['check', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('  - sources.wh.kind: expected kind: postgres, pglite, duckdb or trino');
  });

  it('cli check: a good config exits 0 and prints ok per dataset', async () => {
    const file = await writeConfig('good.yaml', liveConfig(GOOD_DATASET).replace(/^  down:.*\n/m, ''));
    const run = await runCli(['check', '--config', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('ok  orders: 2 dimensions, 2 measures on warehouse\n');
  });

  it('cli explain: prints the plan, its key and SQL with placeholders, never the values', async () => {
    const file = await writeConfig('explain.yaml', liveConfig(GOOD_DATASET));
    const hostile = "x'; drop table t; --";
    const query = `{ orders(where: { region: { in: ["North", ${JSON.stringify(hostile)}] } }, limit: 7) { rows { region revenue } } }`;
    const run = await runCli(['explain', '--config', file, query]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# orders rows\naggregate orders\n/);
    expect(run.stdout).toMatch(/^key: [0-9a-f]{64}$/m);
    const sql = run.stdout.slice(run.stdout.indexOf('\nsql:\n'), run.stdout.indexOf('\nparams: '));
    expect(sql).toMatch(/= any\(\$1::text\[\]\)/);
    // A top-N miss reads its core bounded at maxCoreRows + 1 rows, with no order or limit in the SQL.
    expect(run.stdout).toMatch(/^cache: MISS: goes to the source; reading at most 50001 rows of the core \(planned as the whole core: no order or limit in its SQL\)/m);
    expect(sql).not.toContain('limit');
    expect(sql).not.toContain('North');
    expect(sql).not.toContain('drop table');
    expect(run.stdout).toContain(`params: [${JSON.stringify(['North', hostile])}]`);
  });
});

/** Runs the CLI as users do, in a child process; resolves with its exit code and output. */
function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'tributary.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
