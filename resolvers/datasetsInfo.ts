import type { Config } from '../schema/index.ts';

/** `Query._datasets`: what this gateway serves, for dashboard builders and tooling. */
export function datasetsInfo(config: Config) {
  return Object.values(config.datasets).map((d) => ({
    name: d.name,
    kind: 'dataset',
    source: d.source,
    dimensions: Object.values(d.dimensions).map((dim) => ({ name: dim.name, type: dim.type })),
    measures: Object.values(d.measures).map((m) => ({ name: m.name, aggregation: m.aggregation })),
  }));
}
