import type { DatasetConfig } from '../schema/index.ts';
import type { Source } from '../sources/index.ts';

/**
 * Polls a dataset's `cache.refreshKey` SQL every `refreshEvery` and calls `onChange` when
 * its value differs from the previous poll (the first poll only records it). Poll failures
 * are reported and retried at the next tick; the timer never keeps the process alive.
 */
export class RefreshKeyWatcher {
  private last: string | undefined;
  private readonly timer: NodeJS.Timeout;
  private polling = false;

  constructor(
    private readonly dataset: DatasetConfig,
    private readonly source: Source,
    private readonly onChange: (dataset: string, value: string) => void,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    // Config refuses intervals under 100ms; the floor guards datasets built in code, where
    // 0 would make setInterval poll back to back.
    this.timer = setInterval(() => void this.poll(), Math.max(100, dataset.cache.refreshEveryMs));
    this.timer.unref();
    void this.poll();
  }

  /** One poll; resolves with the value seen (exposed so tests need not wait for the timer). */
  async poll(): Promise<string | undefined> {
    if (this.polling) return this.last;
    this.polling = true;
    try {
      const table = await this.source.execute({
        sql: this.dataset.cache.refreshKey!,
        params: [],
        columns: [{ name: 'value', type: 'string' }],
      });
      const value = String(table.getChildAt(0)?.get(0) ?? null);
      if (this.last !== undefined && value !== this.last) this.onChange(this.dataset.name, value);
      this.last = value;
    } catch (error) {
      this.onError(error);
    } finally {
      this.polling = false;
    }
    return this.last;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
