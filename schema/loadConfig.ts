import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { ZodError } from 'zod';
import { ConfigError, ConfigErrors, TributaryError } from '../errors/index.ts';
import { parseExpression } from '../planner/expression/index.ts';
import type { Aggregation, Config, DatasetConfig, MeasureConfig, ProgressiveConfig, SourceConfig } from './Config.ts';
import { buildAuth, buildRoles } from './buildAuth.ts';
import { buildStreamFusions } from './buildStreamFusions.ts';
import { buildFusions, checkRelations } from './buildFusions.ts';
import { buildStreams } from './buildStreams.ts';
import { buildGranularities } from './buildGranularities.ts';
import { pascalCase } from './pascalCase.ts';
import { configSchema, type RawConfig } from './configSchema.ts';
import { interpolateEnv } from './interpolateEnv.ts';
import { parseDuration } from './parseDuration.ts';

export interface LoadConfigOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Folder relative paths resolve against (default: the current directory). */
  readonly baseDir?: string;
}

/** Reads, interpolates and validates a config file. Throws ConfigErrors naming every problem. */
export async function loadConfigFile(file: string, options: LoadConfigOptions = {}): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigErrors([new ConfigError('', `cannot read ${file}: ${(error as Error).message}`)]);
  }
  return parseConfig(text, { ...options, baseDir: options.baseDir ?? path.dirname(path.resolve(file)) });
}

/** Validates config text. Structural errors come first; semantic checks run on a valid shape. */
export function parseConfig(text: string, options: LoadConfigOptions = {}): Config {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigErrors(document.errors.map((e) => new ConfigError('', `YAML syntax: ${e.message}`)));
  }
  let raw: unknown;
  try {
    raw = interpolateEnv(document.toJS() ?? {}, options.env ?? process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigErrors([error]);
    throw error;
  }
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigErrors(zodToConfigErrors(parsed.error));
  return buildConfig(parsed.data, path.resolve(options.baseDir ?? '.'));
}

function zodToConfigErrors(error: ZodError): ConfigError[] {
  return error.issues.map((issue) => new ConfigError(issue.path.map(String).join('.'), describeIssue(issue)));
}

const EXPECTED_NAMES: Record<string, string> = { record: 'a map of names to definitions', object: 'a map of keys to values' };

/** Zod's messages, reworded to say what was expected and what was found. */
function describeIssue(issue: ZodError['issues'][number]): string {
  const input = (issue as { input?: unknown }).input;
  // Scalars are quoted back; objects are not (the path already says where they are).
  const got = input === undefined || (typeof input === 'object' && input !== null) ? '' : `, got ${typeof input === 'number' ? String(input) : JSON.stringify(input)}`;
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove it or fix its spelling (docs/DESIGN.md lists the keys)`;
    case 'invalid_type':
      if (input === undefined) return `missing; expected ${EXPECTED_NAMES[issue.expected] ?? issue.expected}`;
      return issue.message.startsWith('Invalid input') ? `expected ${EXPECTED_NAMES[issue.expected] ?? issue.expected}${got || `, got ${Array.isArray(input) ? 'a list' : typeof input}`}` : `${issue.message}${got}`;
    case 'invalid_key':
      // A record key that fails its rule (a name that is not a GraphQL name): the inner message says why.
      return issue.issues[0]?.message ?? issue.message;
    default:
      return /\b(got|received)\b/.test(issue.message) ? issue.message : `${issue.message}${got}`;
  }
}

function buildConfig(raw: RawConfig, baseDir: string): Config {
  const errors: ConfigError[] = [];
  const sources: Record<string, SourceConfig> = {};
  for (const [name, s] of Object.entries(raw.sources)) {
    const statementTimeoutMs = parseDuration(s.statementTimeout) ?? 30_000;
    sources[name] =
      s.kind === 'postgres'
        ? { kind: 'postgres', name, url: s.url, poolSize: s.pool, statementTimeoutMs, connectTimeoutMs: parseDuration(s.connectTimeout) ?? 5_000 }
        : s.kind === 'pglite'
          ? { kind: 'pglite', name, dataDir: s.dataDir ? path.resolve(baseDir, s.dataDir) : null, statementTimeoutMs }
          : s.kind === 'trino'
            ? { kind: 'trino', name, url: s.url.replace(/\/+$/, ''), catalog: s.catalog, schema: s.schema, user: s.user, password: s.password ?? null, statementTimeoutMs }
            : { kind: 'duckdb', name, path: s.path ? path.resolve(baseDir, s.path) : null, statementTimeoutMs };
  }
  const datasets: Record<string, DatasetConfig> = {};
  const typeNames = new Map<string, string>();
  for (const [name, d] of Object.entries(raw.datasets)) {
    const at = `datasets.${name}`;
    if (!sources[d.source]) {
      errors.push(new ConfigError(`${at}.source`, `unknown source "${d.source}"; defined sources: ${Object.keys(sources).join(', ') || 'none'}`));
    }
    if (!isTimeZone(d.timezone)) {
      errors.push(new ConfigError(`${at}.timezone`, `unknown time zone "${d.timezone}"; use an IANA name such as UTC or Europe/Berlin`));
    }
    const typeName = pascalCase(name);
    const clash = typeNames.get(typeName);
    if (clash) errors.push(new ConfigError(at, `its GraphQL type name ${typeName} is also the type name of dataset "${clash}"; rename one`));
    typeNames.set(typeName, name);
    const dimensions: DatasetConfig['dimensions'] = Object.fromEntries(
      Object.entries(d.dimensions).map(([dim, spec]) => {
        if (spec.granularity && spec.type !== 'time') {
          errors.push(new ConfigError(`${at}.dimensions.${dim}.granularity`, `only time dimensions take a granularity; ${dim} is ${spec.type}`));
        }
        return [dim, Object.freeze({ name: dim, type: spec.type, column: spec.column ?? dim, granularity: spec.granularity ?? 'day' })];
      }),
    );
    const measures: Record<string, MeasureConfig> = {};
    for (const [measure, spec] of Object.entries(d.measures)) {
      const mAt = `${at}.measures.${measure}`;
      if (dimensions[measure]) errors.push(new ConfigError(mAt, `"${measure}" is also a dimension; names must be unique within a dataset`));
      if (RESERVED_FIELDS.has(measure)) errors.push(new ConfigError(mAt, `"${measure}" is reserved; choose another name`));
      const [aggregation, text] = Object.entries(spec)[0] as [Aggregation, string];
      try {
        const expr = aggregation === 'count' && text.trim() === '*' ? null : parseExpression(text, { label: mAt });
        measures[measure] = Object.freeze({ name: measure, aggregation, expr, text });
      } catch (error) {
        errors.push(new ConfigError(mAt, error instanceof TributaryError ? error.message.replace(`${mAt}: `, '') : String(error)));
      }
    }
    for (const dim of Object.keys(dimensions)) {
      if (RESERVED_FIELDS.has(dim)) errors.push(new ConfigError(`${at}.dimensions.${dim}`, `"${dim}" is reserved; choose another name`));
    }
    if (Object.keys(dimensions).length + Object.keys(d.measures).length === 0) {
      errors.push(new ConfigError(at, 'a dataset needs at least one dimension or measure'));
    }
    datasets[name] = Object.freeze({
      name,
      typeName,
      source: d.source,
      from: datasetFrom(d, baseDir, `${at}.file`, errors, sources[d.source]?.kind),
      timezone: d.timezone,
      dimensions: Object.freeze(dimensions),
      measures: Object.freeze(measures),
      cache: Object.freeze({
        ttlMs: parseDuration(d.cache?.ttl ?? raw.cache.ttl) ?? 600_000,
        refreshKey: d.cache?.refreshKey ?? null,
        refreshEveryMs: parseDuration(d.cache?.refreshEvery ?? '30s') ?? 30_000,
      }),
      relations: Object.freeze(
        Object.fromEntries(Object.entries(d.relations).map(([r, spec]) => [r, Object.freeze({ name: r, dataset: spec.dataset, on: Object.freeze({ ...spec.on }) })])),
      ),
      progressive: progressiveOf(d.progressive, dimensions, `${at}.progressive`, errors),
      granularities: buildGranularities(d.granularities, dimensions, at, errors),
    });
  }
  const streams = buildStreams(raw.streams, sources, datasets, typeNames, errors, raw.server.identity);
  errors.push(...checkRelations(datasets));
  errors.push(...checkRelations(datasets, Object.fromEntries(Object.values(streams).map((s) => [s.name, s.view])), 'streams'));
  const fusions = buildFusions(raw.fusions, datasets, typeNames, errors);
  const streamFusions = buildStreamFusions(raw.streamFusions, streams, { datasets, fusions }, typeNames, errors);
  const auth = buildAuth(raw.auth, raw.roles, baseDir, errors);
  const roles = buildRoles(raw.roles, { datasets, fusions, streams, streamFusions }, errors);
  if (errors.length > 0) throw new ConfigErrors(errors);
  const cache = Object.freeze({
    enabled: raw.cache.enabled,
    maxBytes: raw.cache.maxBytes,
    ttlMs: parseDuration(raw.cache.ttl) ?? 600_000,
    maxCoreRows: raw.cache.maxCoreRows,
    l2: raw.cache.l2
      ? Object.freeze({
          redis: raw.cache.l2.redis,
          prefix: raw.cache.l2.prefix,
          maxEntryBytes: raw.cache.l2.maxEntryBytes,
          timeoutMs: parseDuration(raw.cache.l2.timeout) ?? 500,
          lockTimeoutMs: parseDuration(raw.cache.l2.lockTimeout) ?? 10_000,
          maxWaitMs: parseDuration(raw.cache.l2.maxWait) ?? 60_000,
        })
      : null,
  });
  const server = Object.freeze({
    ...raw.server,
    limits: Object.freeze({ ...raw.server.limits }),
    trustedDocuments: raw.server.trustedDocuments === undefined ? undefined : path.resolve(baseDir, raw.server.trustedDocuments),
  });
  return Object.freeze({
    server,
    cache,
    fusions,
    streams,
    streamFusions,
    sources: Object.freeze(sources),
    datasets: Object.freeze(datasets),
    auth,
    roles: Object.freeze(roles),
    baseDir,
  });
}

function datasetFrom(
  d: RawConfig['datasets'][string],
  baseDir: string,
  at: string,
  errors: ConfigError[],
  sourceKind: string | undefined,
): DatasetConfig['from'] {
  if (d.table !== undefined) return { kind: 'table', table: d.table };
  if (d.sql !== undefined) return { kind: 'sql', sql: d.sql };
  const file = d.file!;
  const format = /\.parquet$/i.test(file) ? 'parquet' : /\.(json|ndjson|jsonl)$/i.test(file) ? 'json' : /\.(csv|tsv|txt)$/i.test(file) ? 'csv' : null;
  if (!format) errors.push(new ConfigError(at, `cannot tell the format of "${file}"; name it .csv, .parquet or .json`));
  if (sourceKind && sourceKind !== 'duckdb') errors.push(new ConfigError(at, `file: datasets need a duckdb source; this one is ${sourceKind}`));
  return { kind: 'file', path: path.resolve(baseDir, file), format: format ?? 'csv', materialize: d.materialize };
}

/** Field names the generated row and filter types use themselves. */
/** The dataset's slicing: `by` defaults to its first time dimension and must be one. */
function progressiveOf(
  spec: { by?: string | undefined; slices: number } | undefined,
  dimensions: DatasetConfig['dimensions'],
  at: string,
  errors: ConfigError[],
): ProgressiveConfig {
  const times = Object.values(dimensions).filter((d) => d.type === 'time').map((d) => d.name);
  const by = spec?.by ?? times[0] ?? null;
  if (spec?.by !== undefined && !times.includes(spec.by)) {
    const choices = times.length > 0 ? `one of its time dimensions: ${times.join(', ')}` : 'a time dimension, and this dataset has none; remove progressive.by';
    errors.push(new ConfigError(`${at}.by`, `"${spec.by}" is not a time dimension of this dataset; expected ${choices}`));
  }
  return Object.freeze({ by, slices: spec?.slices ?? 8 });
}

/** `previous`: the row field of compare (`previous { revenue }`). */
const RESERVED_FIELDS = new Set(['calc', 'previous', 'AND', 'OR', 'NOT']);


function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
