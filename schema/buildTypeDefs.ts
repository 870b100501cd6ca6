import { buildStreamFusionTypeDefs, streamFusionSubscriptionFields } from './buildStreamFusionTypeDefs.ts';
import { buildStreamTypeDefs, streamSubscriptionFields } from './buildStreamTypeDefs.ts';
import type { Config, DatasetConfig, DimensionConfig, DimensionType } from './Config.ts';

const FILTER_INPUT: Record<DimensionType, string> = {
  string: 'StringFilter',
  number: 'NumberFilter',
  boolean: 'BooleanFilter',
  time: 'TimeFilter',
};
const OUTPUT_TYPE: Record<DimensionType, string> = { string: 'String', number: 'Float', boolean: 'Boolean', time: 'String' };

/** The GraphQL SDL for a config: shared types, then one family of types per dataset. */
export function buildTypeDefs(config: Config): string {
  const datasets = Object.values(config.datasets);
  const views = Object.values(config.fusions).map((f) => f.view);
  // Analytics (compare, rolling, previous, fill, custom granularities) are for datasets; fusion views keep the plain shape.
  const types = [...datasets.map((d) => datasetTypes(d, config, true)), ...views.map((d) => datasetTypes(d, config, false))];
  return [SHARED_TYPES, ...types, ...datasets.map(progressType), queryType(config), buildStreamTypeDefs(config), buildStreamFusionTypeDefs(config), subscriptionType(config)].join('\n');
}

/** The version type of a dataset's progressive subscription. */
function progressType(d: DatasetConfig): string {
  const t = d.typeName;
  return `
"One version of a progressive ${d.name} answer: the query over the time slices done so far."
type ${t}Progress {
  "Fraction of the slices done, 0 to 1; 1 on the final version."
  progress: Float!
  "True on the last version: the exact answer. Earlier versions cover only the slices done (a distinct count there is an upper bound)."
  final: Boolean!
  "The time slices, newest first: which this version covers (done) and how the cache answered each."
  slices: [ProgressSlice!]!
  rows: [${t}Row!]!
  totals: ${t}Totals!
  meta: QueryMeta!
}`;
}

/** Progressive answers of every dataset, then the streams. */
function subscriptionType(config: Config): string {
  const progressive = Object.values(config.datasets).map(
    (d) => `  ${doc(`The ${d.name} query answered in time slices, newest first: a version after each slice, the exact answer last.`)}
  ${d.name}(where: ${d.typeName}Where, having: ${d.typeName}Having, orderBy: [${d.typeName}OrderBy!], limit: Int, offset: Int, cache: CacheMode = DEFAULT): ${d.typeName}Progress!`,
  );
  const fields = [...progressive, ...streamSubscriptionFields(config), ...streamFusionSubscriptionFields(config)];
  if (fields.length === 0) return '';
  return `
type Subscription {
${fields.join('\n')}
}`;
}

function datasetTypes(d: DatasetConfig, config: Config, analytics: boolean): string {
  const t = d.typeName;
  const dims = Object.values(d.dimensions);
  const measures = Object.values(d.measures);
  const measureDoc = (m: DatasetConfig['measures'][string]) => doc(`${m.aggregation} of ${m.text}`);
  const granularityType = analytics ? timeGranularityType(d) : 'TimeGranularity';
  const rowMeasure = (m: DatasetConfig['measures'][string]) =>
    analytics ? `  ${measureDoc(m)}\n  ${m.name}(${doc(ROLLING_DOC)} rolling: String): Float` : `  ${measureDoc(m)}\n  ${m.name}: Float`;
  const previous = analytics && measures.length > 0;
  return `${analytics ? analyticsTypes(d, granularityType) : ''}
"Filter on ${d.name} rows before aggregation. Fields of one object are ANDed."
input ${t}Where {
${dims.map((dim) => `  ${dim.name}: ${FILTER_INPUT[dim.type]}`).join('\n')}
  AND: [${t}Where!]
  OR: [${t}Where!]
  NOT: ${t}Where
}
"Filter on aggregated ${d.name} groups, by measure value."
input ${t}Having {
${measures.map((m) => `  ${m.name}: NumberFilter`).join('\n')}
  AND: [${t}Having!]
  OR: [${t}Having!]
  NOT: ${t}Having
}
"One sort key: set exactly one field."
input ${t}OrderBy {
${[...dims, ...measures].map((f) => `  ${f.name}: SortDirection`).join('\n')}
}
"One group of ${d.name}: the selected dimensions are the grouping."
type ${t}Row {
${dims.map((dim) => dimensionField(dim, granularityType, analytics)).join('\n')}
${measures.map(rowMeasure).join('\n')}
  ${doc(analytics ? ROW_CALC_DOC : PLAIN_CALC_DOC)}
  calc(expr: String!): Float${previous ? `\n  "The measures over the compared period (query argument compare); null without compare or where the compared period has no rows."\n  previous: ${t}Previous` : ''}
${Object.values(d.relations)
  .map((r) => `  ${doc(`The ${r.dataset} row whose ${Object.values(r.on).join(', ')} match this row's ${Object.keys(r.on).join(', ')}; batched into one query per request.`)}\n  ${r.name}: ${config.datasets[r.dataset]!.typeName}Row`)
  .join('\n')}
}
"Measures over all rows that match where (limit and offset do not apply)."
type ${t}Totals {
${measures.map((m) => `  ${measureDoc(m)}\n  ${m.name}: Float`).join('\n')}
  "A calculation over the totals."
  calc(expr: String!): Float
}
type ${t}Result {
  rows: [${t}Row!]!
  totals: ${t}Totals!
  meta: QueryMeta!
}`;
}

function dimensionField(dim: DimensionConfig, granularityType: string, analytics: boolean): string {
  if (dim.type !== 'time') return `  ${doc(`${dim.type} dimension (column ${dim.column})`)}\n  ${dim.name}: ${OUTPUT_TYPE[dim.type]}`;
  const fill = analytics ? `, ${doc('Return every bucket of the where range (else from the first to the last bucket in the answer) for each combination of the other dimensions; missing buckets get ZERO, NULL or the PREVIOUS bucket\'s values.')} fill: FillMode` : '';
  return `  ${doc(`Start of the bucket, ISO-8601 with offset. Default granularity: ${dim.granularity.toUpperCase()}.`)}
  ${dim.name}(granularity: ${granularityType}${fill}): String`;
}

/** A dataset with its own granularities gets its own enum for its time fields: the built-ins and its names as written. */
function timeGranularityType(d: DatasetConfig): string {
  const custom = Object.keys(d.granularities);
  const hasTime = Object.values(d.dimensions).some((dim) => dim.type === 'time');
  return custom.length > 0 && hasTime ? `${d.typeName}Granularity` : 'TimeGranularity';
}

/** The per-dataset analytics types: its granularity enum (when it has custom granularities) and `<T>Previous`. */
function analyticsTypes(d: DatasetConfig, granularityType: string): string {
  const t = d.typeName;
  const measures = Object.values(d.measures);
  const parts: string[] = [];
  if (granularityType !== 'TimeGranularity') {
    const custom = Object.values(d.granularities).map((g) => `  ${doc(`${g.count} ${g.unit}${g.count === 1 ? '' : 's'} from the origin (datasets.${d.name}.granularities).`)}\n  ${g.name}`);
    parts.push(`
"Time buckets of ${d.name}: the built-in granularities and the dataset's own."
enum ${granularityType} {
  SECOND MINUTE HOUR DAY WEEK MONTH QUARTER YEAR
${custom.join('\n')}
}`);
  }
  if (measures.length > 0) {
    parts.push(`
"The measures of a ${d.name} row over the compared period (compare): the same other dimensions, the row's time bucket shifted."
type ${t}Previous {
${measures.map((m) => `  ${m.name}: Float`).join('\n')}
}`);
  }
  return parts.join('');
}

const ROLLING_DOC =
  'The measure over a window ending with this row\'s time bucket: "7d", "4 weeks", "3 MONTH" (units d|day|days, w|week|weeks, month|months, quarter|quarters, year|years; n >= 1). Needs a time dimension in the selection; the where range on it picks the buckets shown, not the window\'s data. Not for countDistinct. An empty window gives count 0, the others null.';
const PLAIN_CALC_DOC = "A calculation over this row's measures: + - * / ( ) abs round floor ceil coalesce nullif min max. Division by zero gives null.";
const ROW_CALC_DOC =
  "A calculation over this row's measures: + - * / ( ) abs round floor ceil coalesce nullif min max. Division by zero gives null. Also total(m) (m over every row passing where), parent(m, d1, ...) (m over the rows with this row's d1... values; each d selected) and previous.m (m over the compared period, with compare).";

function queryType(config: Config): string {
  const datasetCount = Object.keys(config.datasets).length;
  const described = [
    ...Object.values(config.datasets).map((d) => [d, `Aggregate query over dataset ${d.name} (source ${d.source}).`] as const),
    ...Object.values(config.fusions).map(
      (f) => [f.view, `Fusion of ${Object.keys(f.members).join(', ')}: each aggregated at its source, then ${f.join}-joined on ${Object.keys(f.keys).join(', ')}.`] as const,
    ),
  ];
  const fields = described.map(
    ([d, description], i) =>
      `  ${doc(description)}
  ${d.name}(where: ${d.typeName}Where, having: ${d.typeName}Having, orderBy: [${d.typeName}OrderBy!], limit: Int, offset: Int, cache: CacheMode = DEFAULT${i < datasetCount ? ', compare: CompareInput' : ''}): ${d.typeName}Result!`,
  );
  return `
type Query {
${fields.join('\n')}
  "Every dataset, fusion and stream this gateway serves."
  _datasets: [DatasetInfo!]!
}
type Mutation {
  "Drops cached results of a dataset (of every dataset without the argument); returns how many. Needs Authorization: Bearer <server.adminToken>."
  invalidate(dataset: String): Int!
}`;
}

const doc = (text: string) => JSON.stringify(text);

const SHARED_TYPES = `
"How a query was answered: from the cache as is (HIT), computed from a cached result (DERIVED), from the source (MISS), or from the source with the cache skipped (BYPASS)."
enum CacheOutcome { HIT DERIVED MISS BYPASS }
enum CacheMode { DEFAULT BYPASS REFRESH }
enum TimeGranularity { SECOND MINUTE HOUR DAY WEEK MONTH QUARTER YEAR }
"How a time dimension's missing buckets are filled: every measure 0, every measure null, or the values of the same series' previous bucket (null before the first)."
enum FillMode { ZERO NULL PREVIOUS }
"Period-over-period: each row gains previous { ... }, its measures over the where's time range shifted back."
input CompareInput {
  "The period compared with."
  to: CompareTo!
}
enum CompareTo {
  "The range just before: shifted by its own length (whole months, whole days, else its duration)."
  PREVIOUS_PERIOD
  "The same range a year earlier (12 calendar months)."
  PREVIOUS_YEAR
}
enum SortDirection { ASC DESC }
type QueryMeta {
  cache: CacheOutcome!
  "Every source query this answer needed, with its SQL."
  sources: [SourceCall!]!
  "Age of the oldest data in the answer, in milliseconds."
  ageMs: Float!
  "True when more rows existed than rows returned: the limit (or server.defaultLimit without one) cut them."
  truncated: Boolean!
  "The relative ranges (inRange) of where, as resolved for this answer; empty when there are none."
  ranges: [ResolvedRange!]!
}
"A relative range as resolved at request time: [from, to), ISO-8601 with the dataset's offset."
type ResolvedRange { field: String! expression: String! from: String! to: String! }
"One time slice of a progressive answer: [from, to) in the dataset's zone; null where it is open."
type ProgressSlice { from: String to: String done: Boolean! cache: CacheOutcome }
type SourceCall {
  source: String! sql: String! ms: Float! rows: Int!
  "The last stats the source reported for the query; null where a source reports none (Trino reports them)."
  progress: SourceProgress
}
"How far a source query got: Trino's query id, state, splits done of total, rows processed, elapsed time."
type SourceProgress { queryId: String! state: String! completedSplits: Int! totalSplits: Int! processedRows: Float! elapsedMs: Float! percent: Float }
input StringFilter { eq: String ne: String in: [String!] notIn: [String!] contains: String startsWith: String isNull: Boolean }
input NumberFilter { eq: Float ne: Float gt: Float gte: Float lt: Float lte: Float in: [Float!] notIn: [Float!] isNull: Boolean }
"Time values are ISO-8601 dates or date-times; without an offset they are read in the dataset's time zone."
input TimeFilter {
  eq: String gt: String gte: String lt: String lte: String isNull: Boolean
  "A range relative to now in the dataset's zone, [from, to): today, yesterday, this|last week|month|quarter|year, last N days|weeks|months (the current one included), year to date, month to date. Resolved at request time into gte/lt (meta.ranges shows them). Dataset and fusion queries only: a stream's where refuses it (BAD_USER_INPUT), its windows run on event time."
  inRange: String
}
input BooleanFilter { eq: Boolean ne: Boolean isNull: Boolean }
type DimensionInfo { name: String! type: String! }
type MeasureInfo { name: String! aggregation: String! }
type DatasetInfo {
  name: String!
  "dataset, fusion, stream or streamFusion"
  kind: String!
  source: String
  dimensions: [DimensionInfo!]!
  measures: [MeasureInfo!]!
}
`;
