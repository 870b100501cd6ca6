/** The label that stands for every unknown field past a stream's bound on distinct labels. */
export const OTHER_UNKNOWN_FIELDS = '(other)';

/**
 * Counts a stream's unknown event fields by pointer, between flushes. Labels are bounded:
 * the first `maxLabels` distinct pointers keep their own label, any later one is counted as
 * "(other)", so a producer that puts ids in field names (one new field per event) grows
 * neither the metric's series nor this set past the bound. A feed counts while it decodes
 * a batch and flushes once per batch (one metric update per field per batch, not per event).
 */
export class UnknownFieldTally {
  private readonly labels = new Set<string>();
  private pending = new Map<string, number>();

  constructor(private readonly maxLabels = 100) {}

  /** Counts one unknown field (a bound function: the decoder calls it per field). */
  readonly count = (pointer: string): void => {
    let label = pointer;
    if (!this.labels.has(pointer)) {
      if (this.labels.size < this.maxLabels) this.labels.add(pointer);
      else label = OTHER_UNKNOWN_FIELDS;
    }
    this.pending.set(label, (this.pending.get(label) ?? 0) + 1);
  };

  /** Hands the counts since the last flush to `sink`, and starts over. */
  flush(sink: (field: string, n: number) => void): void {
    if (this.pending.size === 0) return;
    const counts = this.pending;
    this.pending = new Map();
    for (const [field, n] of counts) sink(field, n);
  }
}
