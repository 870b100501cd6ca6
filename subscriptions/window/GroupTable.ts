import { compareNullsLast } from '../../values/index.ts';
import { Accumulator } from './Accumulator.ts';
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
  /** The groups, in creation order. */
  readonly #groups: Group[] = [];
  /**
   * The groups by their values: one Map level per groupBy dimension, the last level holding
   * the group (no groupBy: the one group is #groups[0]). Map keys compare by SameValueZero,
   * so null, "null", 1, "1" and true stay apart without building a key string per event.
   */
  readonly #index = new Map<DimensionValue, unknown>();

  constructor(groupBy: readonly string[], measures: readonly MeasureSpec[]) {
    this.#groupBy = groupBy;
    this.#measures = measures;
  }

  add(event: StreamEvent): void {
    // Per event: no allocation unless the group is new (this runs for every event of a stream).
    const { accumulators } = this.#groupOf(event.dims);
    const measures = this.#measures;
    for (let i = 0; i < measures.length; i++) accumulators[i]!.add(event.values[measures[i]!.name] ?? null);
  }

  /** Folds `other`'s groups into this table (both built with the same groupBy and measures). */
  merge(other: GroupTable): void {
    for (const theirs of other.#groups) {
      const ours = this.#groupOf(Object.fromEntries(this.#groupBy.map((name, i) => [name, theirs.dims[i]!])));
      ours.accumulators.forEach((acc, i) => acc.merge(theirs.accumulators[i]!));
    }
  }

  /** Current rows, frozen, sorted by the groupBy dimensions in order, ascending, nulls last. */
  rows(): readonly WindowRow[] {
    const groups = [...this.#groups].sort((a, b) => {
      for (let i = 0; i < a.dims.length; i++) {
        const order = compareNullsLast(a.dims[i]!, b.dims[i]!);
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

  /** The group of these dimension values (a missing one is null), created on first use. */
  #groupOf(dims: StreamEvent['dims']): Group {
    const groupBy = this.#groupBy;
    const last = groupBy.length - 1;
    if (last < 0) return this.#groups[0] ?? this.#create([]);
    let level = this.#index;
    for (let i = 0; i < last; i++) {
      const value = dims[groupBy[i]!] ?? null;
      let next = level.get(value) as Map<DimensionValue, unknown> | undefined;
      if (!next) level.set(value, (next = new Map()));
      level = next;
    }
    const value = dims[groupBy[last]!] ?? null;
    let group = level.get(value) as Group | undefined;
    if (!group) level.set(value, (group = this.#create(groupBy.map((name) => dims[name] ?? null))));
    return group;
  }

  #create(dims: readonly DimensionValue[]): Group {
    const group = { dims, accumulators: this.#measures.map((m) => new Accumulator(m.aggregation)) };
    this.#groups.push(group);
    return group;
  }
}
