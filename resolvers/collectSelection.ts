import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import { badInput } from '../errors/index.ts';
import { checkExpression, parseExpression, type DatasetRequest, type FillMode, type RequestedDimension, type RollingMeasure } from '../planner/index.ts';
import { GRANULARITIES, type DatasetConfig, type Granularity } from '../schema/index.ts';

/** What collectMembers gathers; `rolling` and `previous` only where analytics apply (dataset rows). */
interface Collected {
  dimensions: RequestedDimension[];
  measures: string[];
  calcs: string[];
  rolling?: RollingMeasure[];
  previous?: string[];
  extras?: string[];
}

const FILL: Readonly<Record<string, FillMode>> = { ZERO: 'zero', NULL: 'null', PREVIOUS: 'previous' };
const COMPARE_TO: Readonly<Record<string, 'previousPeriod' | 'previousYear'>> = { PREVIOUS_PERIOD: 'previousPeriod', PREVIOUS_YEAR: 'previousYear' };

/**
 * Reads what a dataset query selected under `rows` and `totals` (through aliases, inline
 * fragments, named fragments, @skip/@include and variables) and returns it with the field
 * arguments as a plain DatasetRequest for the planner.
 */
export function collectSelection(dataset: DatasetConfig, args: Record<string, unknown>, info: GraphQLResolveInfo): DatasetRequest {
  let rows: Collected | null = null;
  let totals: Collected | null = null;
  // Analytics are declared on dataset query fields (their compare argument), not on fusion
  // fields or the progressive subscription, which share the row types.
  const analytics = info.parentType.getFields()[info.fieldName]?.args.some((a) => a.name === 'compare') ?? false;
  for (const field of fieldsOf(info.fieldNodes.map((n) => n.selectionSet), info)) {
    const name = field.name.value;
    if (name === 'rows') {
      rows ??= { dimensions: [], measures: [], calcs: [], rolling: [], previous: [] };
      collectMembers(field, `${dataset.typeName}Row`, info, dataset, rows, [], analytics);
    } else if (name === 'totals') {
      totals ??= { dimensions: [], measures: [], calcs: [] }; // totals types have no dimension fields
      collectMembers(field, `${dataset.typeName}Totals`, info, dataset, totals, [], analytics);
    }
  }
  const compareTo = (args.compare as { to?: string } | null | undefined)?.to;
  const request: DatasetRequest = {
    dataset: dataset.name,
    rows: rows && rowsOf(rows),
    totals: totals && { measures: totals.measures, calcs: totals.calcs },
    where: args.where,
    having: args.having,
    orderBy: args.orderBy as DatasetRequest['orderBy'],
    limit: args.limit as number | null | undefined,
    offset: args.offset as number | null | undefined,
  };
  // Only a request using analytics carries their keys: a plain request is what it always was.
  return compareTo ? { ...request, compare: { to: COMPARE_TO[compareTo]! } } : request;
}

function rowsOf(rows: Collected): NonNullable<DatasetRequest['rows']> {
  const { dimensions, measures, calcs, rolling = [], previous = [] } = rows;
  return {
    dimensions,
    measures,
    calcs,
    ...(rolling.length > 0 ? { rolling } : {}),
    ...(previous.length > 0 ? { previous } : {}),
  };
}

/**
 * The dimensions, measures and calcs selected under one field whose type is `typeName`.
 * `extraNames` are further number fields of the type (a stream's history fields): selected
 * ones are collected in `extras`, and calcs may name them besides the measures.
 */
export function collectFields(parent: FieldNode, typeName: string, info: GraphQLResolveInfo, dataset: DatasetConfig, extraNames: readonly string[] = []) {
  const into = { dimensions: [] as { name: string; granularity: Granularity | null }[], measures: [] as string[], calcs: [] as string[], extras: [] as string[] };
  collectMembers(parent, typeName, info, dataset, into, extraNames, false);
  return into;
}

/**
 * `analytics`: the selection is a dataset query's own rows or totals, where compare,
 * rolling, previous, fill, custom granularities and total/parent/previous.m in calc apply
 * (docs/DESIGN.md "Analytics"). Elsewhere (a relation's rows, streams, fusions, the
 * progressive subscription) they are refused.
 */
function collectMembers(
  parent: FieldNode,
  typeName: string,
  info: GraphQLResolveInfo,
  dataset: DatasetConfig,
  into: Collected,
  extraNames: readonly string[],
  analytics: boolean,
): void {
  const type = info.schema.getType(typeName);
  if (!isObjectType(type)) return;
  const defs = type.getFields();
  for (const field of fieldsOf([parent.selectionSet], info)) {
    const name = field.name.value;
    const def = defs[name];
    if (!def) continue; // __typename
    if (name === 'calc') {
      const text = String(getArgumentValues(def, field, info.variableValues).expr);
      // Checked against this schema's dataset, which is the caller's role view: a calc may
      // name only measures the role can select (the planner checks against the full dataset).
      const known = [...Object.keys(dataset.measures), ...extraNames];
      const scope = analytics ? { analytics: { measures: Object.keys(dataset.measures), dimensions: Object.keys(dataset.dimensions) } } : {};
      checkExpression(parseExpression(text, { label: 'calc', analytics }), { label: 'calc', known, source: text, ...scope });
      into.calcs.push(text);
    } else if (extraNames.includes(name)) {
      into.extras?.push(name);
    } else if (dataset.dimensions[name]) {
      into.dimensions.push(def.args.length === 0 ? { name, granularity: null } : requestedDimension(name, getArgumentValues(def, field, info.variableValues), dataset, analytics));
    } else if (dataset.measures[name]) {
      const window = def.args.length === 0 ? null : (getArgumentValues(def, field, info.variableValues).rolling as string | null | undefined);
      if (window == null) into.measures.push(name);
      else if (analytics && into.rolling) into.rolling.push({ measure: name, window });
      else throw badInput(`${name}(rolling:): rolling windows are available only on a dataset query's own rows, not here`);
    } else if (name === 'previous') {
      if (!analytics || !into.previous) throw badInput('previous: the compared period is available only on a dataset query\'s own rows, not here');
      for (const sub of fieldsOf([field.selectionSet], info)) {
        const measure = sub.name.value;
        if (dataset.measures[measure] && !into.previous.includes(measure)) into.previous.push(measure);
      }
    } else if (dataset.relations[name]) {
      // A relation is looked up by its key dimensions, so they join the grouping.
      for (const dim of Object.keys(dataset.relations[name].on)) into.dimensions.push({ name: dim, granularity: null });
    }
  }
}

/** A time dimension's `granularity` (built-in or the dataset's own) and `fill`; only analytics selections may use the latter two. */
function requestedDimension(name: string, args: Record<string, unknown>, dataset: DatasetConfig, analytics: boolean): RequestedDimension {
  const g = args.granularity as string | null | undefined;
  const fill = args.fill as string | null | undefined;
  const builtIn = g ? (GRANULARITIES as readonly string[]).includes(g.toLowerCase()) : true;
  if (!analytics && (fill || !builtIn)) {
    throw badInput(`${name}: ${fill ? 'fill' : `granularity ${g}`} is available only on a dataset query's own rows, not here`);
  }
  const dimension: RequestedDimension = builtIn
    ? { name, granularity: g ? (g.toLowerCase() as Granularity) : null }
    : { name, granularity: null, custom: dataset.granularities[g!]?.name ?? g! };
  return fill ? { ...dimension, fill: FILL[fill]! } : dimension;
}

/** The fields of selection sets, with fragments expanded and @skip/@include applied. */
function fieldsOf(sets: readonly (SelectionSetNode | undefined)[], info: GraphQLResolveInfo): FieldNode[] {
  const out: FieldNode[] = [];
  const visit = (set: SelectionSetNode | undefined, seen: Set<string>) => {
    for (const sel of set?.selections ?? []) {
      if (!included(sel, info)) continue;
      if (sel.kind === Kind.FIELD) out.push(sel);
      else if (sel.kind === Kind.INLINE_FRAGMENT) visit(sel.selectionSet, seen);
      else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        visit(info.fragments[sel.name.value]?.selectionSet, seen);
      }
    }
  };
  for (const set of sets) visit(set, new Set());
  return out;
}

function included(node: Parameters<typeof getDirectiveValues>[1], info: GraphQLResolveInfo): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, info.variableValues)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues)?.if !== false;
}
