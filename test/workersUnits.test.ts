/**
 * The parts of `serve --workers N` that need no process: the restart budget (backoff, at
 * most N restarts in any minute), the per-worker config (live-feed consumer groups apart,
 * landing groups shared), and which configs cannot be served by several workers.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { configForWorker, embeddedSources, parseWorkers, RestartBudget, workersRefusal } from '../server/cluster/index.ts';

/** A budget on a clock the test moves; `at(ms)` books a restart at that time and returns its delay. */
function budgetAt(options: { perMinute?: number; firstDelayMs?: number; maxDelayMs?: number } = {}) {
  let now = 0;
  const budget = new RestartBudget({ ...options, now: () => now });
  return (ms: number) => {
    now = ms;
    return budget.next();
  };
}

describe('parseWorkers', () => {
  it.each([
    ['1', 1],
    ['2', 2],
    ['16', 16],
    ['auto', 6],
    ['0', null],
    ['-2', null],
    ['1.5', null],
    ['1e3', null],
    [' 2', null],
    ['two', null],
    ['', null],
    ['AUTO', null],
    ['99999999999999999999', null],
  ])('--workers "%s" is %s', (text, want) => {
    expect(parseWorkers(text, 6)).toBe(want);
  });
});

describe('RestartBudget', () => {
  it('doubles the delay with each restart of the last minute, up to the longest', () => {
    const at = budgetAt({ firstDelayMs: 100, maxDelayMs: 1_000, perMinute: 100 });
    expect([0, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000].map(at)).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it('starts again from the first delay after a quiet minute', () => {
    const at = budgetAt({ firstDelayMs: 100 });
    expect(at(0)).toBe(100);
    expect(at(1_000)).toBe(200);
    // Both restarts (at 100 ms and 1,200 ms) are more than a minute old.
    expect(at(61_201)).toBe(100);
  });

  it('allows at most perMinute restarts in any minute: a crash loop waits instead of spinning', () => {
    const at = budgetAt({ perMinute: 3, firstDelayMs: 10, maxDelayMs: 10 });
    const runs: number[] = [];
    // A worker that dies as soon as it starts: each crash comes right at its restart.
    let now = 0;
    for (let i = 0; i < 9; i++) {
      now += at(now);
      runs.push(now);
    }
    expect(runs).toEqual([10, 20, 30, 60_010, 60_020, 60_030, 120_010, 120_020, 120_030]);
    for (const run of runs) expect(runs.filter((r) => r > run - 60_000 && r <= run).length).toBeLessThanOrEqual(3);
  });

  it('books restarts of workers dying together one after another', () => {
    const at = budgetAt({ firstDelayMs: 100, perMinute: 10 });
    // Two workers die at the same moment: the second restart waits for its own backoff.
    expect(at(0)).toBe(100);
    expect(at(0)).toBe(200);
  });

  it('refuses options that are not whole numbers above 0, saying what it got', () => {
    expect(() => new RestartBudget({ perMinute: 0 })).toThrow('RestartBudget: perMinute must be a whole number above 0; got 0');
    expect(() => new RestartBudget({ firstDelayMs: 1.5 })).toThrow('RestartBudget: firstDelayMs must be a whole number above 0; got 1.5');
  });
});

const STREAM_CONFIG = `
server: { identity: gw-a }
sources:
  warehouse: { kind: postgres, url: "postgres://127.0.0.1/x" }
datasets: {}
streams:
  orders:
    kafka: { brokers: "127.0.0.1:9092", topic: orders }
    timestamp: ts
    dimensions: { region: { type: string } }
    measures: { orders: { count: "*" } }
    landing: { source: warehouse, table: orders_1m, window: 1m }
  clicks:
    kafka: { brokers: "127.0.0.1:9092", topic: clicks, groupId: my-group }
    timestamp: ts
    dimensions: { page: { type: string } }
    measures: { clicks: { count: "*" } }
`;

describe('configForWorker', () => {
  it("gives each worker's live feeds a consumer group of its own, stable per slot, and keeps the shared landing group", () => {
    const config = parseConfig(STREAM_CONFIG, { env: {} });
    const one = configForWorker(config, { slot: 1, port: 0 });
    const two = configForWorker(config, { slot: 2, port: 0 });
    expect(one.streams.orders!.kafka.groupId).toBe('tributary-gw-a-orders-orders-w1');
    expect(two.streams.orders!.kafka.groupId).toBe('tributary-gw-a-orders-orders-w2');
    expect(two.streams.clicks!.kafka.groupId).toBe('my-group-w2');
    expect(two.streams.orders!.landing).toEqual(config.streams.orders!.landing);
    // Everything else is the config as loaded, and the loaded config is untouched.
    expect({ ...two, streams: config.streams }).toEqual(config);
    expect(config.streams.orders!.kafka.groupId).toBe('tributary-gw-a-orders-orders');
    expect(Object.isFrozen(two.streams.orders!.kafka)).toBe(true);
  });
});

describe('workersRefusal', () => {
  const config = (sources: string) => parseConfig(`sources:\n${sources}\ndatasets: {}\n`, { env: {} });

  it('refuses embedded databases on disk, naming the source, the file and what to do', () => {
    expect(workersRefusal(config('  files: { kind: duckdb, path: /data/lake.duckdb }'), 3)).toBe(
      '--workers 3: source files is an embedded database on disk (DuckDB database file /data/lake.duckdb), which only one process may open; ' +
        '3 worker processes cannot share it. Serve this config with --workers 1, or move the data to a postgres source, which every worker connects to.',
    );
    expect(workersRefusal(config('  local: { kind: pglite, dataDir: /data/pg }'), 2)).toContain('source local is an embedded database on disk (PGlite data directory /data/pg)');
  });

  it('serves postgres sources and embedded databases in memory (a copy per worker)', () => {
    const inMemory = config('  pg: { kind: postgres, url: "postgres://127.0.0.1/x" }\n  mem: { kind: duckdb }\n  scratch: { kind: pglite }');
    expect(workersRefusal(inMemory, 2)).toBeNull();
    expect(embeddedSources(inMemory)).toEqual([
      { name: 'mem', kind: 'duckdb', file: null },
      { name: 'scratch', kind: 'pglite', file: null },
    ]);
  });
});
