/** One way of answering the benchmark query. `run` resolves to the number of result rows read. */
export interface Contender {
  readonly name: string;
  /** Untimed, before each of its runs: setup that is not part of the answer (e.g. emptying a cache). */
  prepare?(): void;
  run(): Promise<number>;
}

export interface InterleavedOptions {
  readonly iterations: number;
  /** Uncounted runs of each contender before timing starts (connections, caches, JIT). */
  readonly warmup: number;
  /** Called after each timed iteration, e.g. to show progress. */
  readonly onIteration?: (done: number, total: number) => void;
}

export interface InterleavedResult {
  /** Wall milliseconds per timed run, per contender, in iteration order. */
  readonly samples: readonly [number[], number[]];
  /** Result rows each contender read (the same in every run, or this throws). */
  readonly rows: readonly [number, number];
}

/**
 * Times two contenders against the same database in alternation: A then B, then B then A,
 * and so on, so drift in the server (cache warmth, checkpoints, neighbours) falls on both
 * sides alike and neither always runs right after the other.
 */
export async function runInterleaved(a: Contender, b: Contender, options: InterleavedOptions): Promise<InterleavedResult> {
  const pair = [a, b] as const;
  const rows: [number | null, number | null] = [null, null];
  const record = (side: 0 | 1, n: number) => {
    if (rows[side] !== null && rows[side] !== n) {
      throw new Error(`${pair[side].name} returned ${n} rows after returning ${rows[side]}; the benchmark query must be deterministic`);
    }
    rows[side] = n;
  };
  for (let i = 0; i < options.warmup; i++) {
    a.prepare?.();
    record(0, await a.run());
    b.prepare?.();
    record(1, await b.run());
  }
  const samples: [number[], number[]] = [[], []];
  for (let i = 0; i < options.iterations; i++) {
    const order: readonly (0 | 1)[] = i % 2 === 0 ? [0, 1] : [1, 0];
    for (const side of order) {
      pair[side].prepare?.();
      const started = performance.now();
      const n = await pair[side].run();
      samples[side].push(performance.now() - started);
      record(side, n);
    }
    options.onIteration?.(i + 1, options.iterations);
  }
  return { samples, rows: [rows[0] ?? 0, rows[1] ?? 0] };
}
