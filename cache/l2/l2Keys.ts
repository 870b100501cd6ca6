import { createHash } from 'node:crypto';
import { canonicalJson } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';

/**
 * Bumped when what L2 stores changes shape (the core's JSON, the Arrow columns a core
 * holds): gateways of another format then read and write other keys, never each other's.
 */
const FORMAT = 1;

const namespaces = new WeakMap<DatasetConfig, string>();

/**
 * A dataset's L2 namespace: a hash of what its cores depend on (source, table or SQL,
 * time zone, dimensions, measures), so a replica whose model changed reads and writes other
 * keys than replicas still on the old one, and never reads their bytes. The cache settings,
 * relations and GraphQL names do not change a core and are left out.
 */
export function datasetNamespace(dataset: DatasetConfig): string {
  let ns = namespaces.get(dataset);
  if (ns === undefined) {
    const model = { format: FORMAT, name: dataset.name, source: dataset.source, from: dataset.from, timezone: dataset.timezone, dimensions: dataset.dimensions, measures: dataset.measures };
    ns = createHash('sha256').update(canonicalJson(model)).digest('hex').slice(0, 20);
    namespaces.set(dataset, ns);
  }
  return ns;
}

/** Short, fixed-length field for a core key or a lock name inside a namespace. */
export function keyField(key: string): string {
  return createHash('sha1').update(key).digest('hex');
}

/**
 * The Redis keys of one dataset namespace. The namespace is a hash tag (`{ns}`), so all of a
 * dataset's keys share a cluster slot. `gen` is the namespace's current generation: a random
 * id replaced by every invalidation, so the keys of older generations are unreachable at
 * once (and deleted, and expire anyway).
 */
export function l2Keys(prefix: string, ns: string) {
  const base = `${prefix}{${ns}}:`;
  return {
    /** Keys of generation `gen` start with `${base}${gen}:`: the scripts build them from it. */
    base,
    generation: `${base}g`,
    refreshKey: `${base}rk`,
    index: (gen: string) => `${base}${gen}:i`,
    /** Bumped by every change to the index: readers holding that version skip reading it. */
    indexVersion: (gen: string) => `${base}${gen}:v`,
    core: (gen: string, field: string) => `${base}${gen}:c:${field}`,
    lock: (gen: string, field: string) => `${base}${gen}:l:${field}`,
  };
}

export type L2Keys = ReturnType<typeof l2Keys>;

/** The pub/sub channel every replica under `prefix` listens to. */
export function l2Channel(prefix: string): string {
  return `${prefix}events`;
}
