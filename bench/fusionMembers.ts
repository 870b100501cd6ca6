import { Float64, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { seededRandom } from '../test/support/seededRandom.ts';

export interface FusionMembers {
  /** `sales`-like aggregate: region, month, revenue, cost, orders. */
  readonly left: Table;
  /** `targets`-like aggregate: region, month, target, budget. */
  readonly right: Table;
  /** Key tuples present on both sides. */
  readonly overlap: number;
}

const MONTHS = 240; // 2005-01 .. 2024-12

/**
 * Two aggregated member results as a fusion would receive them from two sources: keys
 * region (Utf8) × month (Float64 wall-clock ms, first of the month), each tuple once per
 * side (aggregates group by the keys), `rows` rows each, sharing `overlap` of their tuples,
 * in an arbitrary (shuffled) order as SQL returns them. Measures are Float64 with a few
 * nulls (sum over no rows). Deterministic for a given seed.
 */
export function buildFusionMembers(rows: number, overlapShare: number, seed = 42): FusionMembers {
  const overlap = Math.round(rows * overlapShare);
  const universe = 2 * rows - overlap; // distinct tuples over both sides
  const regions = Math.ceil(universe / MONTHS);
  const random = seededRandom(seed);
  // Tuple t is region t % regions, month t / regions. Of all tuples, shuffled, the first
  // `rows` go left and the last `rows` go right, so `overlap` random tuples are shared.
  const tuples = shuffle(Array.from({ length: universe }, (_, t) => t), random);
  const leftTuples = shuffle(tuples.slice(0, rows), random);
  const rightTuples = shuffle(tuples.slice(rows - overlap), random);
  const regionName = (t: number) => `region-${String(t % regions).padStart(4, '0')}`;
  const month = (t: number) => Date.UTC(2005 + Math.floor(Math.floor(t / regions) / 12), Math.floor(t / regions) % 12, 1);
  const measure = (scale: number) => () => (random() < 0.01 ? null : Math.round(random() * scale * 100) / 100);
  const side = (at: number[], measures: Record<string, () => number | null>) =>
    new Table({
      region: vectorFromArray(at.map(regionName), new Utf8()),
      month: vectorFromArray(at.map(month), new Float64()),
      ...Object.fromEntries(Object.entries(measures).map(([name, value]) => [name, vectorFromArray(at.map(value), new Float64())])),
    });
  return {
    left: side(leftTuples, { revenue: measure(10_000), cost: measure(7_000), orders: measure(100) }),
    right: side(rightTuples, { target: measure(12_000), budget: measure(8_000) }),
    overlap,
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
