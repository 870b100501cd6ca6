import type { DatasetConfig, DimensionConfig, MeasureConfig, RelationConfig } from './Config.ts';

/**
 * A dataset-shaped view of something no source answers directly (a fusion, a stream, a
 * stream fusion), so the planner and the schema builders treat its dimensions and measures
 * like a dataset's: no source, no table, no cache of its own, no custom granularities.
 */
export function sourcelessView(spec: {
  readonly name: string;
  readonly typeName: string;
  readonly timezone: string;
  readonly dimensions: Readonly<Record<string, DimensionConfig>>;
  readonly measures: Readonly<Record<string, MeasureConfig>>;
  readonly relations?: Readonly<Record<string, RelationConfig>>;
}): DatasetConfig {
  return Object.freeze({
    name: spec.name,
    typeName: spec.typeName,
    source: '',
    from: Object.freeze({ kind: 'sql' as const, sql: '' }),
    timezone: spec.timezone,
    dimensions: Object.freeze({ ...spec.dimensions }),
    measures: Object.freeze({ ...spec.measures }),
    cache: Object.freeze({ ttlMs: 0, refreshKey: null, refreshEveryMs: 0 }),
    relations: Object.freeze({ ...(spec.relations ?? {}) }),
    granularities: Object.freeze({}),
  });
}
