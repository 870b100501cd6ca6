/**
 * TrinoSource against a real Trino: bound parameters of every type, maxRows, progress of
 * a long query, cancellation of an aborted query (checked in system.runtime.queries),
 * the EXPLAIN (TYPE IO) estimate, error codes (Trino down, a bad query) and the config.
 */
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigErrors, ErrorCode, TributaryError } from '../errors/index.ts';
import { buildPlan, type CompiledQuery } from '../planner/index.ts';
import { parseConfig, type TrinoSourceConfig } from '../schema/index.ts';
import { compileFor, TrinoSource, type SourceProgress } from '../sources/index.ts';
import { connectTestTrino } from './support/trino.ts';
import { waitFor } from './support/waitFor.ts';

const trino = await connectTestTrino();

const config = (url: string, schema = 'tiny'): TrinoSourceConfig => ({ kind: 'trino', name: 'lake', url, catalog: 'tpch', schema, user: 'tributary-test', password: null, statementTimeoutMs: 120_000 });
const query = (sql: string, params: unknown[], columns: CompiledQuery['columns']): CompiledQuery => ({ sql, params, columns });

describe.skipIf(!trino)('TrinoSource on a real Trino', () => {
  const source = new TrinoSource(config(trino?.url ?? ''));
  const logged: string[] = [];
  const sf1 = new TrinoSource(config(trino?.url ?? '', 'sf1'), (line) => logged.push(line), 0);
  afterAll(async () => {
    await source.close();
    await sf1.close();
  });

  it('binds typed parameters and returns Arrow in the columns of the query', async () => {
    const table = await source.execute(
      query(
        `select n.name, cast(n.nationkey as double), $3, $4 from nation n
         where n.name in (cast($1 as varchar), cast($2 as varchar)) and n.nationkey >= cast($5 as bigint)
           and from_iso8601_timestamp($6) < timestamp '2000-01-01 00:00:00 UTC' order by 1`,
        ['FRANCE', "O'HARA'); drop table x; --", true, 2.5, '1', '1999-12-31T18:00:00-05:00'],
        [
          { name: 'name', type: 'string' },
          { name: 'key', type: 'number' },
          { name: 'flag', type: 'boolean' },
          { name: 'half', type: 'number' },
        ],
      ),
    );
    expect(table.toArray().map((r) => r.toJSON())).toEqual([{ name: 'FRANCE', key: 6, flag: true, half: 2.5 }]);
  });

  it('reads at most maxRows rows', async () => {
    const table = await source.execute(query('select orderkey from lineitem', [], [{ name: 'orderkey', type: 'number' }]), { maxRows: 7 });
    expect(table.numRows).toBe(7);
  });

  it('estimates the groups of a compiled plan with EXPLAIN (TYPE IO)', async () => {
    const cfg = parseConfig(`
sources: { lake: { kind: trino, url: "${trino!.url}", catalog: tpch, schema: tiny } }
datasets:
  lineitem: { source: lake, table: lineitem, dimensions: { returnflag: { type: string } }, measures: { lines: { count: "*" } } }
`);
    const dataset = cfg.datasets.lineitem!;
    const plan = buildPlan(dataset, { dataset: 'lineitem', rows: { dimensions: [{ name: 'returnflag', granularity: null }], measures: ['lines'], calcs: [] }, totals: null }, cfg.server).rows!;
    const estimate = await source.estimateRows(compileFor(source, plan, dataset));
    expect(estimate).not.toBeNull();
    expect(estimate!).toBeGreaterThanOrEqual(1);
    expect(estimate!).toBeLessThan(100); // 3 flags; a full scan estimate would be 60,175
  });

  it('reports progress, and an aborted query is cancelled at Trino', async () => {
    const progress: SourceProgress[] = [];
    const controller = new AbortController();
    const running = sf1.execute(query('select count(distinct orderkey * 7 + partkey) from lineitem', [], [{ name: 'n', type: 'number' }]), {
      signal: controller.signal,
      onProgress: (p) => progress.push(p),
    });
    const settled = running.then(
      () => null,
      (error: unknown) => error,
    );
    const started = (await waitFor('the query to run with splits scheduled', () => progress.find((p) => p.state === 'RUNNING' && p.totalSplits > 0), 120_000, 50))!;
    expect(sf1.running().map((p) => p.queryId)).toContain(started.queryId);
    controller.abort();
    const error = await settled;
    expect(error).toBeInstanceOf(TributaryError);
    expect((error as TributaryError).code).toBe(ErrorCode.SOURCE_TIMEOUT);
    expect(sf1.running()).toEqual([]);
    // Trino itself ends the query (DELETE nextUri), it does not run on to completion.
    const state = await waitFor(
      `query ${started.queryId} to end in system.runtime.queries`,
      async () => {
        const table = await source.execute(
          query('select state, error_code from system.runtime.queries where query_id = cast($1 as varchar)', [started.queryId], [
            { name: 'state', type: 'string' },
            { name: 'error', type: 'string' },
          ]),
        );
        const row = table.get(0)?.toJSON();
        return row && row.state !== 'RUNNING' && row.state !== 'QUEUED' && row.state !== 'PLANNING' ? row : null;
      },
      30_000,
      200,
    );
    expect(state).toEqual({ state: 'FAILED', error: 'USER_CANCELED' });
  }, 180_000);

  it('logs the progress of a running query (here on every page)', async () => {
    logged.length = 0;
    await sf1.execute(query('select count(*) from nation where name like cast($1 as varchar)', ['%A%'], [{ name: 'n', type: 'number' }]));
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.at(-1)).toMatch(/^source lake: query \S+ [A-Z_]+ \d+\/\d+ splits( \(\d+%\))?, [\d,]+ rows, \d+\.\d s$/);
  }, 120_000);

  it('a bad query is SOURCE_ERROR; the message is for the log, not the client', async () => {
    const error = await source.execute(query('select nope from nation', [], [{ name: 'x', type: 'number' }])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TributaryError);
    expect((error as TributaryError).code).toBe(ErrorCode.SOURCE_ERROR);
    expect((error as TributaryError).extensions).toMatchObject({ source: 'lake', trinoError: 'COLUMN_NOT_FOUND' });
  });
});

describe('TrinoSource without a server', () => {
  it('is SOURCE_UNAVAILABLE when nothing listens', async () => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    server.close();
    await once(server, 'close');
    const source = new TrinoSource(config(`http://127.0.0.1:${port}`));
    const error = await source.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TributaryError);
    expect((error as TributaryError).code).toBe(ErrorCode.SOURCE_UNAVAILABLE);
    expect((error as TributaryError).message).toBe('source lake is unavailable: ECONNREFUSED');
  });

  it.each([
    ['a missing catalog', '{ kind: trino, url: "http://h:8080", schema: sf1 }', 'sources.lake.catalog: missing; expected string'],
    ['a URL with a path', '{ kind: trino, url: "http://h:8080/v1", catalog: tpch, schema: sf1 }', 'sources.lake.url: expected the coordinator URL such as http://127.0.0.1:8080 (scheme, host and port, no path), got "http://h:8080/v1"'],
    ['an unknown key', '{ kind: trino, url: "http://h:8080", catalog: tpch, schema: sf1, pasword: x }', 'sources.lake: unknown key "pasword"; remove it or fix its spelling (docs/DESIGN.md lists the keys)'],
  ])('config: %s names the path', (_, source, line) => {
    const error = (() => {
      try {
        parseConfig(`sources:\n  lake: ${source}\ndatasets: {}\n`);
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigErrors);
    expect((error as ConfigErrors).message).toContain(line);
  });

  it('config: a trino source with defaults', () => {
    const cfg = parseConfig('sources:\n  lake: { kind: trino, url: "http://h:8080/", catalog: tpch, schema: sf1 }\ndatasets: {}\n');
    expect(cfg.sources.lake).toEqual({ kind: 'trino', name: 'lake', url: 'http://h:8080', catalog: 'tpch', schema: 'sf1', user: 'tributary', password: null, statementTimeoutMs: 300_000 });
  });
});
