import { compileExtent } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';
import type { Gateway } from '../GatewayContract.ts';

/** First and last wall time of a time dimension (epoch ms in the dataset's zone). */
export interface TimeExtent {
  readonly first: number;
  readonly last: number;
}

interface Remembered {
  readonly extent: Promise<TimeExtent | null>;
  readonly expires: number;
  /** The extent once read (undefined before). */
  settled?: TimeExtent | null;
}

const extents = new WeakMap<Gateway, Map<string, Remembered>>();

/**
 * The extent of a dataset's time dimension, read at its source once per cache ttl (one
 * statement of two aggregates, compileExtent) and shared by concurrent callers. It only
 * places the inner boundaries of the slice grid: the grid's first and last cells are open,
 * so an extent that has gone stale (rows added since) costs balance, never rows. Null when
 * the dataset has no rows. A failed read is not remembered.
 */
export function timeExtent(gateway: Gateway, dataset: DatasetConfig, by: string, signal?: AbortSignal): Promise<TimeExtent | null> {
  let memo = extents.get(gateway);
  if (!memo) extents.set(gateway, (memo = new Map()));
  const key = `${dataset.name}\u0000${by}`;
  const now = Date.now();
  const known = memo.get(key);
  if (known && known.expires > now) return known.extent;
  const source = gateway.sources.get(dataset.source)!;
  // Not cancelled with one caller: others may be waiting for it.
  const extent = source
    .execute(compileExtent(dataset, by, source.dialect, source.columnTypesOf?.(source.dialect.relation(dataset))))
    .then((table): TimeExtent | null => {
      const first = toMs(table.getChild('first')?.get(0));
      const last = toMs(table.getChild('last')?.get(0));
      return first === null || last === null ? null : { first, last };
    });
  const remembered: Remembered = { extent, expires: now + dataset.cache.ttlMs };
  memo.set(key, remembered);
  extent.then(
    (value) => void (remembered.settled = value),
    () => {
      if (memo.get(key) === remembered) memo.delete(key);
    },
  );
  return signal ? abortable(extent, signal) : extent;
}

/** The extent if one was read and is still fresh, without reading: undefined when not known. */
export function knownExtent(gateway: Gateway, dataset: DatasetConfig, by: string): TimeExtent | null | undefined {
  const known = extents.get(gateway)?.get(`${dataset.name}\u0000${by}`);
  return known && known.expires > Date.now() ? known.settled : undefined;
}

function toMs(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const ms = value instanceof Date ? value.getTime() : Number(value);
  return Number.isFinite(ms) ? ms : null;
}

/** The caller stops waiting when its signal aborts; the read goes on for the others. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
