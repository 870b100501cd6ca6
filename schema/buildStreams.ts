import { hostname } from 'node:os';
import { ConfigError, TributaryError } from '../errors/index.ts';
import { parseExpression } from '../planner/expression/index.ts';
import type { Aggregation, DatasetConfig, MeasureConfig, SourceConfig, StreamConfig } from './Config.ts';
import type { RawConfig } from './configSchema.ts';
import { buildStreamFields } from './buildStreamFields.ts';
import { buildStreamHistory } from './buildStreamHistory.ts';
import { parseDuration } from './parseDuration.ts';
import { pascalCase } from './pascalCase.ts';
import { sourcelessView } from './sourcelessView.ts';

/** Landing columns of a measure: the leaves a closed window stores (avg as sum and count). */
export function landingLeaves(m: MeasureConfig): readonly ('sum' | 'count' | 'min' | 'max')[] {
  switch (m.aggregation) {
    case 'avg':
      return ['sum', 'count'];
    case 'countDistinct':
      return []; // distinct sets do not land; the measure is live-only
    default:
      return [m.aggregation];
  }
}

/**
 * Validates streams and builds, for each stream with a landing table, the dataset
 * `<stream>History` over that table: window start as a time dimension, the stream's
 * dimensions, and measures re-aggregating the landed leaves.
 */
export function buildStreams(
  raw: RawConfig['streams'],
  sources: Readonly<Record<string, SourceConfig>>,
  datasets: Record<string, DatasetConfig>,
  typeNames: Map<string, string>,
  errors: ConfigError[],
  identity: string = hostname(),
): Readonly<Record<string, StreamConfig>> {
  const streams: Record<string, StreamConfig> = {};
  for (const [name, s] of Object.entries(raw)) {
    const at = `streams.${name}`;
    const typeName = pascalCase(name);
    if (typeNames.has(typeName)) errors.push(new ConfigError(at, `its GraphQL type name ${typeName} is also used by "${typeNames.get(typeName)}"; rename one`));
    typeNames.set(typeName, name);
    const dimensions = Object.fromEntries(
      Object.entries(s.dimensions).map(([d, spec]) => [d, Object.freeze({ name: d, type: spec.type, column: spec.field ?? d, granularity: 'day' as const })]),
    );
    const measures: Record<string, MeasureConfig> = {};
    for (const [m, spec] of Object.entries(s.measures)) {
      const [aggregation, text] = Object.entries(spec)[0] as [Aggregation, string];
      if (dimensions[m]) errors.push(new ConfigError(`${at}.measures.${m}`, `"${m}" is also a dimension; names must be unique within a stream`));
      try {
        const expr = aggregation === 'count' && text.trim() === '*' ? null : parseExpression(text, { label: `${at}.measures.${m}` });
        measures[m] = Object.freeze({ name: m, aggregation, expr, text });
      } catch (error) {
        errors.push(new ConfigError(`${at}.measures.${m}`, error instanceof TributaryError ? error.message.replace(`${at}.measures.${m}: `, '') : String(error)));
      }
    }
    const connectTimeoutMs = parseDuration(s.connectTimeout) ?? 10_000;
    if (connectTimeoutMs <= 0) errors.push(new ConfigError(`${at}.connectTimeout`, 'expected a duration above 0, such as 10s'));
    let landing: StreamConfig['landing'] = null;
    if (s.landing) {
      const source = sources[s.landing.source];
      if (!source) errors.push(new ConfigError(`${at}.landing.source`, `unknown source "${s.landing.source}"`));
      else if (source.kind !== 'postgres' && source.kind !== 'pglite') errors.push(new ConfigError(`${at}.landing.source`, `landing tables need a postgres or pglite source; "${s.landing.source}" is ${source.kind}`));
      const dataset = `${name}History`;
      if (datasets[dataset]) errors.push(new ConfigError(`${at}.landing`, `dataset ${dataset} already exists; the landing table is served under that name`));
      if (dimensions.partition) errors.push(new ConfigError(`${at}.dimensions.partition`, 'the landing table has a column "partition" (the Kafka partition of each row); rename the dimension (field: partition keeps reading the same field)'));
      // One group for every replica (not per identity): each partition is landed by one of them.
      const groupId = s.landing.groupId ?? `tributary-landing-${name}-${s.kafka.topic}-${s.landing.table}`;
      landing = Object.freeze({ source: s.landing.source, table: s.landing.table, windowMs: parseDuration(s.landing.window) ?? 60_000, dataset, groupId });
      // In the stream's zone, so history buckets print with the same offset as live windows.
      datasets[dataset] = Object.freeze({ ...historyDataset(dataset, s.landing.source, s.landing.table, dimensions, measures), timezone: s.timezone });
      typeNames.set(pascalCase(dataset), dataset);
    }
    streams[name] = Object.freeze({
      name,
      typeName,
      kafka: Object.freeze({
        brokers: s.kafka.brokers.split(',').map((b) => b.trim()).filter(Boolean),
        topic: s.kafka.topic,
        // Named after the gateway, not the run: a restart rejoins its own group instead of
        // leaving one more empty group on the broker. Two live gateways must not share a
        // group (they would split the partitions), hence the identity; the topic keeps one
        // stream name on two topics apart.
        groupId: s.kafka.groupId ?? `tributary-${identity}-${name}-${s.kafka.topic}`,
      }),
      connectTimeoutMs,
      format: s.format,
      timestamp: s.timestamp,
      dimensions: Object.freeze(dimensions),
      measures: Object.freeze(measures),
      graceMs: parseDuration(s.grace) ?? 5_000,
      retentionMs: parseDuration(s.retention) ?? 3_600_000,
      maxSkewMs: parseDuration(s.maxSkew) ?? 3_600_000,
      deadLetterTopic: s.deadLetterTopic ?? null,
      schemaMapping: buildStreamFields(at, s, dimensions, measures, errors),
      landing,
      history: buildStreamHistory(at, s.history, { dimensions, measures, relations: s.relations }, landing, landing && datasets[landing.dataset] ? datasets[landing.dataset]! : null, errors),
      view: sourcelessView({
        name,
        typeName,
        timezone: s.timezone,
        dimensions,
        measures,
        // Checked against the datasets by checkRelations (loadConfig), like a dataset's.
        relations: Object.fromEntries(Object.entries(s.relations).map(([r, spec]) => [r, Object.freeze({ name: r, dataset: spec.dataset, on: Object.freeze({ ...spec.on }) })])),
      }),
    });
  }
  return Object.freeze(streams);
}

function historyDataset(
  name: string,
  source: string,
  table: string,
  dims: Record<string, { name: string; type: 'string' | 'number' | 'boolean' }>,
  measures: Record<string, MeasureConfig>,
): DatasetConfig {
  const historyMeasures: Record<string, MeasureConfig> = {};
  for (const m of Object.values(measures)) {
    const leaves = landingLeaves(m);
    if (leaves.length !== 1) continue; // avg and countDistinct do not re-aggregate from one column
    const column = `${m.name}_${leaves[0]}`;
    const aggregation = m.aggregation === 'count' ? 'sum' : m.aggregation;
    historyMeasures[m.name] = Object.freeze({ name: m.name, aggregation, expr: parseExpression(column), text: column });
  }
  return Object.freeze({
    name,
    typeName: pascalCase(name),
    source,
    from: Object.freeze({ kind: 'table', table }),
    timezone: 'UTC',
    dimensions: Object.freeze({
      windowStart: Object.freeze({ name: 'windowStart', type: 'time', column: 'window_start', granularity: 'minute' }),
      ...Object.fromEntries(Object.values(dims).map((d) => [d.name, Object.freeze({ name: d.name, type: d.type, column: d.name, granularity: 'day' })])),
    }),
    measures: Object.freeze(historyMeasures),
    cache: Object.freeze({ ttlMs: 5_000, refreshKey: null, refreshEveryMs: 30_000 }),
    relations: Object.freeze({}),
    granularities: Object.freeze({}),
  }) as DatasetConfig;
}
