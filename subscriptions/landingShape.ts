import { landingLeaves, type StreamConfig } from '../schema/index.ts';
import type { StreamEvent, WindowOperatorOptions } from './window/index.ts';

/** One landed column and the operator measure it reads. */
export interface LandingLeaf {
  /** The operator measure: the stream measure, or `<avg>__sum` / `<avg>__count` for an avg. */
  readonly input: string;
  readonly leaf: 'sum' | 'count' | 'min' | 'max';
  /** The landing table's column: `<measure>_<leaf>`. */
  readonly column: string;
}

/**
 * What a stream's landing table holds, shared by the per-partition windows and the writer:
 * the dimensions, one column per measure leaf (an avg lands as its sum and its count, so
 * windows of several partitions re-aggregate exactly), and the tumbling window of
 * `landing.window`.
 */
export interface LandingShape {
  readonly dims: readonly string[];
  readonly leaves: readonly LandingLeaf[];
  readonly windowMs: number;
  readonly graceMs: number;
  readonly operator: WindowOperatorOptions;
  /** The event as the operator takes it (avg inputs doubled into their sum and count parts). */
  toOperatorEvent(e: StreamEvent): StreamEvent;
}

export function landingShape(stream: StreamConfig): LandingShape {
  const dims = Object.keys(stream.dimensions);
  const measures = Object.values(stream.measures);
  const averages = measures.filter((m) => m.aggregation === 'avg').map((m) => m.name);
  const leaves = measures.flatMap((m) =>
    landingLeaves(m).map((leaf) => ({ input: m.aggregation === 'avg' ? `${m.name}__${leaf}` : m.name, leaf, column: `${m.name}_${leaf}` })),
  );
  const windowMs = stream.landing!.windowMs;
  return {
    dims,
    leaves,
    windowMs,
    graceMs: stream.graceMs,
    operator: {
      window: { kind: 'tumble', sizeMs: windowMs },
      graceMs: stream.graceMs,
      groupBy: dims,
      measures: leaves.map((l) => ({ name: l.input, aggregation: l.input.includes('__') ? l.leaf : stream.measures[l.input]!.aggregation })),
    },
    toOperatorEvent: averages.length === 0 ? (e) => e : (e) => withAverageParts(e, averages),
  };
}

/** An avg measure lands as a sum and a count over the same input. */
function withAverageParts(e: StreamEvent, averages: readonly string[]): StreamEvent {
  const values = { ...e.values };
  for (const m of averages) values[`${m}__sum`] = values[`${m}__count`] = e.values[m] ?? null;
  return { ...e, values };
}
