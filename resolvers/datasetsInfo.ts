import type { Config } from '../schema/index.ts';

/** `Query._datasets`: what this gateway serves, for dashboard builders and tooling. */
export function datasetsInfo(config: Config) {
  const describe = (d: Config['datasets'][string], kind: string, source: string | null) => ({
    name: d.name,
    kind,
    source,
    dimensions: Object.values(d.dimensions).map((dim) => ({ name: dim.name, type: dim.type })),
    measures: Object.values(d.measures).map((m) => ({ name: m.name, aggregation: m.aggregation })),
  });
  return [
    ...Object.values(config.datasets).map((d) => describe(d, 'dataset', d.source)),
    ...Object.values(config.fusions).map((f) => describe(f.view, 'fusion', null)),
    ...Object.values(config.streams).map((s) => describe(s.view, 'stream', s.kafka.brokers.length ? `kafka:${s.kafka.topic}` : 'demo generator')),
    ...Object.values(config.streamFusions).map((f) => describe(f.view, 'streamFusion', null)),
  ];
}
