import { z } from 'zod';
import { AGGREGATIONS, GRANULARITIES } from './Config.ts';
import { parseDuration } from './parseDuration.ts';

/**
 * The shape of `tributary.yaml` before semantic checks. Unknown keys are errors, so a typo
 * (`tabel:`) is reported instead of silently ignored. Numbers may arrive as strings from
 * `${VAR:-4000}` substitution, hence the coercion.
 */
const GRAPHQL_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const name = (what: string) =>
  z.string().regex(GRAPHQL_NAME, `${what} must start with a letter and use only letters, digits and _`);
const duration = z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'expected a duration such as 500ms, 30s, 10m, 2h or 1d');
/** At least `minMs`; a malformed duration is reported by `duration` alone. */
const durationAtLeast = (minMs: number, message: string) =>
  duration.refine((text) => {
    const ms = parseDuration(text);
    return ms === null || ms >= minMs;
  }, message);
/** A cache ttl: 0 is refused, since the LRU reads a ttl of 0 as "never expires". */
const ttlDuration = durationAtLeast(1, 'expected a duration above 0 such as 30s or 10m (0 would never expire; to stop caching, set cache.enabled: false)');
/** A refreshKey poll interval: below 100ms the poll runs back to back against the database. */
const pollInterval = durationAtLeast(100, 'expected 100ms or more such as 30s (a shorter interval polls the database in a loop; to stop polling, remove refreshKey)');
const positiveInt = z.coerce.number('expected a number').int('expected a whole number').positive('expected a number above 0');
const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')], 'expected true or false');

/** `256mb`, `1gb`, `500kb` or a plain number of bytes. */
const byteSize = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)$/i, 'expected a size such as 512mb or 2gb')
    .transform((text) => {
      const [, n, unit] = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)$/i.exec(text)!;
      return Math.round(Number(n) * { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[unit!.toLowerCase() as 'b']!);
    }),
], 'expected a size such as 512mb or 2gb');

/** The highest server.limits.maxNesting accepted (graphql-js and the filter planner overflow near 1,500 levels; test/deepNesting.test.ts runs at the cap). */
const MAX_NESTING_CAP = 500;

/** What one request may cost; every limit is on by default. */
const limitsSchema = z.strictObject({
  maxDepth: positiveInt.default(12),
  maxAliases: positiveInt.default(30),
  maxTokens: positiveInt.default(5_000),
  maxDirectives: positiveInt.default(50),
  /**
   * Brackets in a document, and objects/arrays in a variable, nested deeper than this are
   * refused before parsing: graphql-js recurses per level and overflows the stack past a few
   * thousand. The cap keeps a raised limit well below that.
   */
  maxNesting: positiveInt.max(MAX_NESTING_CAP, `expected at most ${MAX_NESTING_CAP}: deeper documents can overflow the parser's stack`).default(100),
  /** Each dataset field costs its row limit (its `limit` argument, else server.defaultLimit). */
  maxCost: positiveInt.default(200_000),
  maxBodyBytes: byteSize.default(1024 ** 2),
  maxSubscriptionsPerConnection: positiveInt.default(100),
  maxSourceQueriesPerRequest: positiveInt.default(8),
});

const serverSchema = z.strictObject({
  port: z.coerce.number('expected a port number').int('expected a whole port number').min(0, 'expected a port 0-65535').max(65535, 'expected a port 0-65535').default(4000),
  graphiql: bool.default(true),
  defaultLimit: positiveInt.default(1000),
  maxLimit: positiveInt.default(50_000),
  maxInList: positiveInt.default(10_000),
  maxFilterDepth: positiveInt.default(16),
  /** Bearer token for admin mutations (invalidate); unset disables them. */
  adminToken: z.string().optional(),
  limits: limitsSchema.default(limitsSchema.parse({})),
  /** A JSON file of operations by sha256 hash; when set, only those operations are accepted. */
  trustedDocuments: z.string().min(1).optional(),
  /**
   * This gateway's name among the processes reading the same brokers: stream consumer groups
   * are named after it (default: the host name), so a restart rejoins its own group.
   */
  identity: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'expected 1-100 letters, digits, ".", "_" or "-" (it names Kafka consumer groups)').optional(),
});

/** The shared L2 cache in Redis (cache/l2/): cores every replica reads and writes. */
const l2Schema = z.strictObject({
  redis: z.string().regex(/^rediss?:\/\/\S+$/, 'expected a redis:// (or rediss://) URL such as redis://127.0.0.1:6379'),
  /** Every key and the pub/sub channel start with it: gateways sharing it must read the same data. */
  prefix: z.string().min(1, 'expected a key prefix such as "tributary:"').default('tributary:'),
  /** Cores whose Arrow bytes exceed this are kept in L1 only. */
  maxEntryBytes: byteSize.default(32 * 1024 ** 2),
  /** A Redis command that takes longer fails (the request goes on from L1 or the source). */
  timeout: durationAtLeast(1, 'expected a duration above 0 such as 500ms').default('500ms'),
  /** How long a replica's source-query lock lives without being renewed (a crashed holder frees it after this). */
  lockTimeout: durationAtLeast(100, 'expected 100ms or more such as 10s').default('10s'),
  /** The longest a replica waits for another replica's source query before querying the source itself. */
  maxWait: durationAtLeast(1, 'expected a duration above 0 such as 60s').default('60s'),
});

const cacheSchema = z.strictObject({
  l2: l2Schema.optional(),
  enabled: bool.default(true),
  maxBytes: byteSize.default(256 * 1024 ** 2),
  ttl: ttlDuration.default('10m'),
  /** Top-N queries whose core the source estimates above this many groups push order and limit down. */
  maxCoreRows: positiveInt.default(50_000),
});

const datasetCacheSchema = z.strictObject({
  ttl: ttlDuration.optional(),
  refreshKey: z.string().min(1).optional(),
  refreshEvery: pollInterval.default('30s'),
});

const postgresSchema = z.strictObject({
  kind: z.literal('postgres'),
  url: z.string().min(1, 'expected a postgres:// connection URL'),
  pool: positiveInt.default(10),
  statementTimeout: duration.default('30s'),
  /** How long a query waits for a connection (a free pooled one, or a new one) before it fails. */
  connectTimeout: duration.default('5s'),
});

const pgliteSchema = z.strictObject({
  kind: z.literal('pglite'),
  dataDir: z.string().min(1).optional(),
  statementTimeout: duration.default('30s'),
});

const duckdbSchema = z.strictObject({
  kind: z.literal('duckdb'),
  /** A DuckDB database file; in memory without it. */
  path: z.string().min(1).optional(),
  statementTimeout: duration.default('30s'),
});

const trinoSchema = z.strictObject({
  kind: z.literal('trino'),
  url: z.string().regex(/^https?:\/\/[^/\s]+\/?$/, 'expected the coordinator URL such as http://127.0.0.1:8080 (scheme, host and port, no path)'),
  catalog: z.string().min(1, 'expected a catalog name such as tpch'),
  schema: z.string().min(1, 'expected a schema name such as sf1'),
  user: z.string().min(1, 'expected the Trino user queries run as, such as tributary').default('tributary'),
  /** With a password, requests carry HTTP basic auth (Trino accepts it over https only). */
  password: z.string().optional(),
  statementTimeout: duration.default('5m'),
});

const sourceSchema = z.discriminatedUnion('kind', [postgresSchema, pgliteSchema, duckdbSchema, trinoSchema], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'expected kind: postgres, pglite, duckdb or trino' : undefined,
});

const dimensionSchema = z.strictObject({
  type: z.enum(['string', 'number', 'boolean', 'time'], 'expected type: string, number, boolean or time'),
  column: z.string().min(1).optional(),
  granularity: z.enum(GRANULARITIES, `expected one of ${GRANULARITIES.join(', ')}`).optional(),
});

/** A measure is an object with exactly one aggregation key: `{ sum: amount }`. */
const measureSchema = z
  .record(z.string(), z.string({ error: 'expected a column name or an expression string' }))
  .superRefine((value, ctx) => {
    const keys = Object.keys(value);
    const unknown = keys.filter((k) => !(AGGREGATIONS as readonly string[]).includes(k));
    if (unknown.length > 0 || keys.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `expected exactly one of ${AGGREGATIONS.join(', ')} (for example { sum: amount }), got ${keys.length ? keys.join(', ') : 'nothing'}`,
      });
    }
  });

/** Relations of a dataset or a stream: a field resolving the row of `dataset` whose `on` keys match. */
const relationsSchema = z
  .record(
    name('a relation name'),
    z.strictObject({
      dataset: z.string().min(1),
      on: z.record(z.string(), z.string()).refine((on) => Object.keys(on).length > 0, 'expected at least one key pair'),
    }),
  )
  .default({});

/** An IANA time zone name, checked against the runtime's zone data. */
const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'unknown time zone; use an IANA name such as UTC or Europe/Berlin');

const datasetSchema = z
  .strictObject({
    source: z.string().min(1),
    table: z.string().min(1).optional(),
    sql: z.string().min(1).optional(),
    /** A CSV, Parquet or JSON file (duckdb sources); relative to the config file. */
    file: z.string().min(1).optional(),
    /** Load the file into a DuckDB table once at start instead of scanning it per query. */
    materialize: bool.default(false),
    relations: relationsSchema,
    timezone: z.string().default('UTC'),
    dimensions: z.record(name('a dimension name'), dimensionSchema).default({}),
    measures: z.record(name('a measure name'), measureSchema).default({}),
    cache: datasetCacheSchema.optional(),
    /** The dataset's own calendar buckets: `{ fiscalQuarter: { interval: 3 months, origin: "2025-02-01" } }` (checked in buildGranularities). */
    granularities: z
      .record(
        name('a granularity name'),
        z.strictObject({
          interval: z.string('expected an interval such as "3 months" or "2 weeks"'),
          origin: z.string('expected a date such as "2025-02-01" (quote it)'),
        }),
      )
      .default({}),
    /** The `<dataset>` subscription's time slices (server/progressive/). */
    progressive: z
      .strictObject({
        by: z.string().min(1).optional(),
        slices: z.int('expected a whole number of slices').min(1, 'expected at least 1 slice').max(64, 'expected at most 64 slices').default(8),
      })
      .optional(),
  })
  .refine((d) => [d.table, d.sql, d.file].filter((x) => x !== undefined).length === 1, {
    message: 'expected exactly one of table:, sql: or file:',
  });

const fusionSchema = z.strictObject({
  join: z.enum(['inner', 'left', 'full'], 'expected join: inner, left or full').default('full'),
  keys: z
    .record(name('a key name'), z.enum(['string', 'number', 'boolean', 'time'], 'expected a key type: string, number, boolean or time'))
    .refine((keys) => Object.keys(keys).length > 0, 'expected at least one key'),
  members: z
    .record(z.string(), z.record(z.string(), z.string()))
    .refine((m) => Object.keys(m).length >= 2, 'expected at least two members'),
});

/**
 * Where one event field the stream reads (a dimension's field, a measure's input, the
 * timestamp) is found in evolving events: a JSON pointer, older names, a default. Pointers
 * and default types are checked in buildStreamFields, which knows the field's readers.
 */
const streamFieldSchema = z.strictObject({
  path: z.string('expected a JSON pointer such as /payload/amount').optional(),
  default: z.union([z.string(), z.number(), z.boolean(), z.null()], 'expected a string, number, boolean or null').optional(),
  aliases: z.array(z.string().min(1), 'expected a list of former field names (or JSON pointers), such as [total]').optional(),
});
const streamFieldsSchema = z.record(z.string().min(1), streamFieldSchema);

const streamSchema = z.strictObject({
  /** Event schema mapping (optional); see README "Schema mapping". */
  fields: streamFieldsSchema.default({}),
  /** A field naming the event's schema version, and per version the field entries that differ from `fields`. */
  version: z
    .strictObject({
      field: z.string().min(1),
      mappings: z.record(z.string().min(1), streamFieldsSchema),
    })
    .optional(),
  kafka: z.strictObject({
    /** host:port[,host:port]; empty feeds the stream from the built-in demo generator. */
    brokers: z.string(),
    topic: z.string().min(1),
    /** Overrides the consumer group (default: tributary-<server.identity>-<stream>-<topic>). */
    groupId: z.string().min(1).optional(),
  }),
  /** How long a subscription waits for the feed to start before it fails with SOURCE_UNAVAILABLE. */
  connectTimeout: duration.default('10s'),
  format: z.literal('json', 'expected format: json').default('json'),
  /** The event-time field (epoch ms or ISO-8601), or $kafka for the record timestamp. */
  timestamp: z.string().min(1).default('$kafka'),
  dimensions: z
    .record(
      name('a dimension name'),
      z.strictObject({
        type: z.enum(['string', 'number', 'boolean'], 'expected type: string, number or boolean'),
        field: z.string().min(1).optional(),
      }),
    )
    .default({}),
  measures: z.record(name('a measure name'), measureSchema).default({}),
  /** Rows of another dataset looked up per window version, as on datasets: `{ regionInfo: { dataset: regions, on: { region: region } } }`. */
  relations: relationsSchema,
  /** Row fields from the landed history: `{ revenueLastWeek: { measure: revenue, offset: 7d } }` or `{ measure, previousWindows: 3 }` (checked in buildStreams). */
  history: z
    .record(
      name('a history field name'),
      z
        .strictObject({
          measure: z.string().min(1),
          offset: duration.optional(),
          previousWindows: z.int('expected a whole number of windows').min(1, 'expected at least 1 window').max(1000, 'expected at most 1000 windows').optional(),
        })
        .refine((h) => (h.offset === undefined) !== (h.previousWindows === undefined), 'expected exactly one of offset: (such as 7d) or previousWindows: (such as 3)'),
    )
    .default({}),
  /** The zone window bounds print in (ISO-8601 with its offset), and the history dataset's time zone. */
  timezone: timeZone.default('UTC'),
  grace: duration.default('5s'),
  retention: duration.default('1h'),
  /** Events stamped further ahead of the gateway clock are rejected (dead-lettered), not windowed. */
  maxSkew: duration.default('1h'),
  deadLetterTopic: z.string().min(1).optional(),
  landing: z
    .strictObject({
      source: z.string().min(1),
      table: z.string().min(1),
      window: duration.default('1m'),
      /** The consumer group shared by every replica's landing writer (default: tributary-landing-<stream>-<topic>-<table>). */
      groupId: z.string().min(1).optional(),
    })
    .optional(),
});

const authSchema = z.strictObject({
  jwt: z
    .strictObject({
      /** HS256/384/512 shared secret. */
      secret: z.string().min(1).optional(),
      /** A JWKS URL (https://...) or a local JWKS file (RS*, PS*, ES*, EdDSA keys). */
      jwks: z.string().min(1).optional(),
      issuer: z.string().min(1).optional(),
      audience: z.string().min(1).optional(),
      clockTolerance: duration.default('30s'),
    })
    .refine((j) => (j.secret === undefined) !== (j.jwks === undefined), { message: 'expected exactly one of secret: or jwks:' }),
  /** The claim that names the caller's role. */
  roleClaim: z.string().min(1).default('role'),
  /** Requests without a token: deny (UNAUTHENTICATED), or the name of a role they get. */
  anonymous: z.string().min(1).default('deny'),
});

/**
 * Streams windowed alike and joined on keys per window (the members are stream names, each
 * mapping every key to one of its dimensions); checked against the streams in
 * buildStreamFusions.
 */
const streamFusionSchema = z.strictObject({
  join: z.enum(['inner', 'left', 'full'], 'expected join: inner, left or full').default('full'),
  keys: z
    .record(name('a key name'), z.enum(['string', 'number', 'boolean'], 'expected a key type: string, number or boolean (stream dimensions have no time type)'))
    .refine((keys) => Object.keys(keys).length > 0, 'expected at least one key'),
  members: z
    .record(z.string(), z.record(z.string(), z.string()))
    .refine((m) => Object.keys(m).length >= 2, 'expected at least two member streams'),
  /** A member without events for this long stops holding the fused windows back. */
  idleTimeout: duration.default('30s'),
});

/** What a role may see of one dataset, fusion or stream. */
const grantSchema = z.strictObject({
  /** A row filter in the where grammar; "$claims.<path>" strings read the verified token. */
  rows: z.record(z.string(), z.unknown()).optional(),
  /** Visible dimensions and measures; all when omitted. */
  members: z.array(z.string().min(1), 'expected a list of dimension and measure names').optional(),
});

const roleSchema = z.union(
  [z.literal('*'), z.record(z.string(), grantSchema.nullable())],
  'expected "*" (everything) or a map of dataset, fusion and stream names to { rows, members }',
);

export const configSchema = z.strictObject({
  auth: authSchema.optional(),
  roles: z.record(name('a role name'), roleSchema).default({}),
  server: serverSchema.default(serverSchema.parse({})),
  cache: cacheSchema.default(cacheSchema.parse({})),
  sources: z.record(name('a source name'), sourceSchema),
  datasets: z.record(name('a dataset name'), datasetSchema),
  fusions: z.record(name('a fusion name'), fusionSchema).default({}),
  streams: z.record(name('a stream name'), streamSchema).default({}),
  streamFusions: z.record(name('a stream fusion name'), streamFusionSchema).default({}),
});

export type RawConfig = z.infer<typeof configSchema>;
