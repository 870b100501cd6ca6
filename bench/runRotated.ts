/** One way of computing the benchmarked result; `run` resolves to the number of rows it produced. */
export interface Contender {
  readonly name: string;
  run(): Promise<number>;
}

export interface RotatedResult {
  /** Wall milliseconds per timed run, per contender (in `contenders` order), in iteration order. */
  readonly samples: readonly number[][];
  /** Rows each contender produced (the same in every run, or this throws). */
  readonly rows: readonly number[];
}

/**
 * Times several in-process contenders in rotation (iteration i starts with contender
 * i mod n), after `warmup` uncounted runs of each, so JIT warmth, GC pressure and machine
 * drift fall on all of them alike and none always runs right after the same neighbour.
 */
export async function runRotated(contenders: readonly Contender[], iterations: number, warmup: number): Promise<RotatedResult> {
  const rows: (number | null)[] = contenders.map(() => null);
  const record = (side: number, n: number) => {
    if (rows[side] !== null && rows[side] !== n) {
      throw new Error(`${contenders[side]!.name} produced ${n} rows after producing ${rows[side]}; the benchmark must be deterministic`);
    }
    rows[side] = n;
  };
  for (let i = 0; i < warmup; i++) for (const [side, c] of contenders.entries()) record(side, await c.run());
  const samples: number[][] = contenders.map(() => []);
  for (let i = 0; i < iterations; i++) {
    for (let step = 0; step < contenders.length; step++) {
      const side = (i + step) % contenders.length;
      const started = performance.now();
      const n = await contenders[side]!.run();
      samples[side]!.push(performance.now() - started);
      record(side, n);
    }
  }
  return { samples, rows: rows.map((n) => n ?? 0) };
}
