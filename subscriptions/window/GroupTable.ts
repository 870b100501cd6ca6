import { Accumulator } from './Accumulator.ts';
import { compareDimValues } from './compareDimValues.ts';
import type { DimensionValue, MeasureSpec, StreamEvent, WindowRow } from './types.ts';

interface Group {
  readonly dims: readonly DimensionValue[];
  readonly accumulators: readonly Accumulator[];
}

/**
 * The groups of one window: GROUP BY the `groupBy` dimensions (null is a group of its own,
 * as in SQL), one accumulator per measure. A group exists once an event reached it, so
 * windows never hold empty groups.
 */
export class GroupTable {
  readonly #groupBy: readonly string[];
  readonly #measures: readonly MeasureSpec[];
  readonly #groups = new Map<string, Group>();

  constructor(groupBy: readonly string[], measures: readonly MeasureSpec[]) {
    this.#groupBy = groupBy;
    this.#measures = measures;
  }

  add(event: StreamEvent): void {
    const dims = this.#groupBy.map((name) => event.dims[name] ?? null);
    const group = this.#groupOf(dims);
    this.#measures.forEach((m, i) => group.accumulators[i]!.add(event.values[m.name] ?? null));
  }

  /** Folds `other`'s groups into this table (both built with the same groupBy and measures). */
  merge(other: GroupTable): void {
    for (const theirs of other.#groups.values()) {
      const ours = this.#groupOf(theirs.dims);
      ours.accumulators.forEach((acc, i) => acc.merge(theirs.accumulators[i]!));
    }
  }

  /** Current rows, frozen, sorted by the groupBy dimensions in order, ascending, nulls last. */
  rows(): readonly WindowRow[] {
    const groups = [...this.#groups.values()].sort((a, b) => {
      for (let i = 0; i < a.dims.length; i++) {
        const order = compareDimValues(a.dims[i]!, b.dims[i]!);
        if (order !== 0) return order;
      }
      return 0;
    });
    return Object.freeze(
      groups.map((group) =>
        Object.freeze({
          dims: Object.freeze(Object.fromEntries(this.#groupBy.map((name, i) => [name, group.dims[i]!]))),
          measures: Object.freeze(Object.fromEntries(this.#measures.map((m, i) => [m.name, group.accumulators[i]!.result()]))),
        }),
      ),
    );
  }

  #groupOf(dims: readonly DimensionValue[]): Group {
    // JSON keeps null, "null", 1, "1" and true apart.
    const key = JSON.stringify(dims);
    let group = this.#groups.get(key);
    if (!group) {
      group = { dims, accumulators: this.#measures.map((m) => new Accumulator(m.aggregation)) };
      this.#groups.set(key, group);
    }
    return group;
  }
}
