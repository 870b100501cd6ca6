import type { Expression } from '../planner/expression/index.ts';

/** Time bucket sizes, finest first. Config spells them lower case; GraphQL upper case. */
export const GRANULARITIES = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export type DimensionType = 'string' | 'number' | 'boolean' | 'time';
export type Aggregation = 'sum' | 'count' | 'countDistinct' | 'avg' | 'min' | 'max';
export const AGGREGATIONS: readonly Aggregation[] = ['sum', 'count', 'countDistinct', 'avg', 'min', 'max'];

/** The validated configuration. Everything here is plain, frozen data. */
export interface Config {
  readonly server: ServerConfig;
  readonly cache: CacheConfig;
  readonly sources: Readonly<Record<string, SourceConfig>>;
  readonly datasets: Readonly<Record<string, DatasetConfig>>;
  readonly fusions: Readonly<Record<string, FusionConfig>>;
  readonly streams: Readonly<Record<string, StreamConfig>>;
  readonly streamFusions: Readonly<Record<string, StreamFusionConfig>>;
  /** Who may call (JWT verification); null leaves the gateway open. */
  readonly auth: AuthConfig | null;
  /** What each role sees; empty without auth. */
  readonly roles: Readonly<Record<string, RoleConfig>>;
  /** Folder of the config file; relative paths (dataDir, files) resolve against it. */
  readonly baseDir: string;
}

export interface AuthConfig {
  readonly jwt: {
    /** HS256/384/512 shared secret; exactly one of secret and jwks is set. */
    readonly secret: string | null;
    /** A JWKS URL, or the absolute path of a local JWKS file. */
    readonly jwks: string | null;
    readonly issuer: string | null;
    readonly audience: string | null;
    readonly clockToleranceSec: number;
  };
  /** The claim naming the caller's role. */
  readonly roleClaim: string;
  /** The role of requests without a token; null denies them. */
  readonly anonymous: string | null;
}

/** A role: everything (`all`), or only the datasets, fusions and streams it has grants for. */
export interface RoleConfig {
  readonly name: string;
  readonly all: boolean;
  readonly grants: Readonly<Record<string, Grant>>;
}

export interface Grant {
  /** A row filter in the where grammar with "$claims.<path>" placeholders; null: every row. */
  readonly rows: Readonly<Record<string, unknown>> | null;
  /** Visible dimensions and measures; null: all of them. */
  readonly members: readonly string[] | null;
}

/** Bounds on what one request may cost. Every one has a safe default. */
export interface LimitsConfig {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxTokens: number;
  readonly maxDirectives: number;
  /** Deepest bracket nesting in a document, and object/array nesting in a variable. */
  readonly maxNesting: number;
  /** Each dataset field costs its row limit. */
  readonly maxCost: number;
  readonly maxBodyBytes: number;
  readonly maxSubscriptionsPerConnection: number;
  readonly maxSourceQueriesPerRequest: number;
}

export interface ServerConfig {
  readonly port: number;
  readonly graphiql: boolean;
  readonly defaultLimit: number;
  readonly maxLimit: number;
  /** Largest `in` / `notIn` list accepted in a filter. */
  readonly maxInList: number;
  /** Deepest AND/OR/NOT nesting accepted in `where` and `having`. */
  readonly maxFilterDepth: number;
  /** Bearer token for admin mutations; undefined disables them. */
  readonly adminToken?: string;
  readonly limits: LimitsConfig;
  /** Absolute path of the trusted-documents JSON file; when set, only its operations run. */
  readonly trustedDocuments?: string;
  /** Names this gateway's stream consumer groups; undefined: the host name. */
  readonly identity?: string;
}

export interface CacheConfig {
  readonly enabled: boolean;
  readonly maxBytes: number;
  readonly ttlMs: number;
  /** Top-N plans whose core is estimated above this many groups push order/limit down. */
  readonly maxCoreRows: number;
  /** The shared cache in Redis; null: this replica's L1 only. */
  readonly l2?: L2Config | null;
}

/** `cache.l2`: cores shared by every replica through one Redis (cache/l2/). */
export interface L2Config {
  readonly redis: string;
  readonly prefix: string;
  readonly maxEntryBytes: number;
  readonly timeoutMs: number;
  readonly lockTimeoutMs: number;
  readonly maxWaitMs: number;
}

/** Per-dataset cache settings; ttlMs falls back to the global cache ttl. */
export interface DatasetCacheConfig {
  readonly ttlMs: number;
  /** SQL whose single value changes when the data does; polled every refreshEveryMs. */
  readonly refreshKey: string | null;
  readonly refreshEveryMs: number;
}

export type SourceConfig = PostgresSourceConfig | PGliteSourceConfig | DuckDBSourceConfig | TrinoSourceConfig;

export interface TrinoSourceConfig {
  readonly kind: 'trino';
  readonly name: string;
  /** Coordinator URL without a trailing slash: `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly catalog: string;
  readonly schema: string;
  readonly user: string;
  /** HTTP basic auth password; null sends the user only. */
  readonly password: string | null;
  readonly statementTimeoutMs: number;
}

export interface DuckDBSourceConfig {
  readonly kind: 'duckdb';
  readonly name: string;
  /** Absolute database file; null keeps it in memory. */
  readonly path: string | null;
  readonly statementTimeoutMs: number;
}

export interface PostgresSourceConfig {
  readonly kind: 'postgres';
  readonly name: string;
  readonly url: string;
  readonly poolSize: number;
  readonly statementTimeoutMs: number;
  /** How long a query waits for a connection: SOURCE_BUSY when all are busy, else SOURCE_UNAVAILABLE. */
  readonly connectTimeoutMs: number;
}

export interface PGliteSourceConfig {
  readonly kind: 'pglite';
  readonly name: string;
  /** Absolute data directory; null keeps the database in memory. */
  readonly dataDir: string | null;
  readonly statementTimeoutMs: number;
}

export interface DimensionConfig {
  readonly name: string;
  readonly type: DimensionType;
  readonly column: string;
  /** Bucket used when a query does not pass `granularity` (time dimensions only). */
  readonly granularity: Granularity;
}

export interface MeasureConfig {
  readonly name: string;
  readonly aggregation: Aggregation;
  /** The aggregated expression over the dataset's columns; null means `count: "*"`. */
  readonly expr: Expression | null;
  /** The expression as written in the config, for explain output and errors. */
  readonly text: string;
}

export interface DatasetConfig {
  readonly name: string;
  /** PascalCase of the key: the prefix of the dataset's GraphQL type names. */
  readonly typeName: string;
  readonly source: string;
  readonly from:
    | { readonly kind: 'table'; readonly table: string }
    | { readonly kind: 'sql'; readonly sql: string }
    | { readonly kind: 'file'; readonly path: string; readonly format: 'csv' | 'parquet' | 'json'; readonly materialize: boolean };
  readonly timezone: string;
  readonly dimensions: Readonly<Record<string, DimensionConfig>>;
  readonly measures: Readonly<Record<string, MeasureConfig>>;
  readonly cache: DatasetCacheConfig;
  readonly relations: Readonly<Record<string, RelationConfig>>;
  /** How the `<dataset>` subscription slices a heavy query (datasets only; views have none). */
  readonly progressive?: ProgressiveConfig;
  /** The dataset's own time granularities (`granularities:`), by name; `{}` without (and for views). */
  readonly granularities: Readonly<Record<string, CustomGranularity>>;
}

/**
 * A dataset's own calendar bucket (`fiscalQuarter: { interval: 3 months, origin: "2025-02-01" }`):
 * buckets of `count` days (weeks are 7 days) or `count` months (quarters 3, years 12) laid
 * from `originWall`, the origin as a wall time in the dataset's zone (planner/time/customBucket.ts).
 */
export interface CustomGranularity {
  readonly name: string;
  readonly unit: 'day' | 'month';
  readonly count: number;
  readonly originWall: number;
}

/**
 * Progressive answers: the subscription field of a dataset runs its query in `slices` time
 * slices of the `by` dimension, newest first. `by` is null when the dataset has no time
 * dimension: then the answer comes in one version.
 */
export interface ProgressiveConfig {
  readonly by: string | null;
  readonly slices: number;
}

/** A nested field resolving the row of another dataset whose `on` dimensions match. */
export interface RelationConfig {
  readonly name: string;
  readonly dataset: string;
  /** This dataset's dimension → the other dataset's dimension. */
  readonly on: Readonly<Record<string, string>>;
}

/**
 * Datasets joined after aggregation on shared keys. Each member is planned as its own
 * aggregate (and cached on its own); the resolver hash-joins them.
 */
export interface FusionConfig {
  readonly name: string;
  readonly typeName: string;
  readonly join: 'inner' | 'left' | 'full';
  readonly keys: Readonly<Record<string, DimensionType>>;
  /** Member dataset → (key → the member's dimension), in join order. */
  readonly members: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The fusion seen as one dataset: keys as dimensions, members' measures as measures. */
  readonly view: DatasetConfig;
  /** Measure name → the member dataset it comes from. */
  readonly measureMember: Readonly<Record<string, string>>;
}

/**
 * Where one field a stream reads (dimension field, measure input, timestamp) is found in an
 * event: at `path` (JSON pointer segments; default: the field's own name), else at the first
 * alias present, else `default`. A field without a default whose value is missing (absent
 * or null) makes the event a bad message (dead-lettered with the reason).
 */
export interface StreamFieldMapping {
  readonly field: string;
  readonly path: readonly string[];
  readonly aliases: readonly (readonly string[])[];
  /** Absent: the field is required. */
  readonly default?: string | number | boolean | null;
}

/** A stream's event schema mapping: the base fields and, per schema version, the entries that replace them. */
export interface StreamSchemaMapping {
  readonly fields: Readonly<Record<string, StreamFieldMapping>>;
  /** `field`: pointer segments of the version field; versions are matched as text ("3" for 3). */
  readonly version: { readonly field: readonly string[]; readonly mappings: Readonly<Record<string, Readonly<Record<string, StreamFieldMapping>>>> } | null;
}

/** A Kafka topic served as event-time windowed subscriptions. */
export interface StreamConfig {
  readonly name: string;
  readonly typeName: string;
  /** groupId: this gateway's consumer group, stable across restarts (one group per gateway identity). */
  readonly kafka: { readonly brokers: readonly string[]; readonly topic: string; readonly groupId: string };
  /** A subscription waiting longer than this for the feed to start fails with SOURCE_UNAVAILABLE. */
  readonly connectTimeoutMs: number;
  readonly format: 'json';
  /** Event-time field of the JSON message, or '$kafka' for the record timestamp. */
  readonly timestamp: string;
  /** Dimensions read from message fields (`column` is the field name). */
  readonly dimensions: Readonly<Record<string, DimensionConfig>>;
  /** Measures over message fields, in the shared expression language. */
  readonly measures: Readonly<Record<string, MeasureConfig>>;
  readonly graceMs: number;
  readonly retentionMs: number;
  /** Events whose time is further ahead of the gateway's clock are bad messages (a far-future stamp would close every window). */
  readonly maxSkewMs: number;
  readonly deadLetterTopic: string | null;
  /** Where the fields it reads are found in events of each schema version (empty: at their own names). */
  readonly schemaMapping: StreamSchemaMapping;
  /**
   * Closed windows of this size are upserted into a table, served as dataset `<name>History`.
   * groupId: the Kafka consumer group of the landing writers of all replicas (each partition is landed by one).
   */
  readonly landing: { readonly source: string; readonly table: string; readonly windowMs: number; readonly dataset: string; readonly groupId: string } | null;
  /** Row fields computed from the landed history (`<stream>History`), by field name; empty without `history:`. */
  readonly history: Readonly<Record<string, StreamHistoryField>>;
  /**
   * The stream seen as a dataset, for planning subscriptions: dimensions, measures, its
   * `relations` (looked up per window version) and `timezone` (window bounds print in it).
   */
  readonly view: DatasetConfig;
}

/**
 * A stream row field read from the stream's landing dataset for the row's key: `measure`
 * over the same window `offsetMs` earlier, or over the `previousWindows` windows before it
 * (exactly one of the two is set).
 */
export interface StreamHistoryField {
  readonly name: string;
  readonly measure: string;
  readonly offsetMs: number | null;
  readonly previousWindows: number | null;
}

/**
 * Streams windowed alike and joined on keys per window; a fused window closes when every
 * member's stream time passed its end plus that member's grace, or the member has been idle
 * (no event) for `idleTimeoutMs`.
 */
export interface StreamFusionConfig {
  readonly name: string;
  readonly typeName: string;
  readonly join: 'inner' | 'left' | 'full';
  readonly keys: Readonly<Record<string, 'string' | 'number' | 'boolean'>>;
  /** Member stream → (key → the member's dimension), in join order (a left join keeps the first member's keys). */
  readonly members: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly idleTimeoutMs: number;
  /** The fusion seen as one dataset: keys as dimensions, members' measures as measures; its timezone is the members'. */
  readonly view: DatasetConfig;
  /** Measure name → the member stream it comes from. */
  readonly measureMember: Readonly<Record<string, string>>;
}
