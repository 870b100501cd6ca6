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
import { checkExpression, parseExpression, type DatasetRequest } from '../planner/index.ts';
import type { DatasetConfig, Granularity } from '../schema/index.ts';

type Rows = NonNullable<DatasetRequest['rows']>;

/**
 * Reads what a dataset query selected under `rows` and `totals` (through aliases, inline
 * fragments, named fragments, @skip/@include and variables) and returns it with the field
 * arguments as a plain DatasetRequest for the planner.
 */
export function collectSelection(dataset: DatasetConfig, args: Record<string, unknown>, info: GraphQLResolveInfo): DatasetRequest {
  let rows: { dimensions: Rows['dimensions'][number][]; measures: string[]; calcs: string[] } | null = null;
  let totals: { dimensions: Rows['dimensions'][number][]; measures: string[]; calcs: string[] } | null = null;
  for (const field of fieldsOf(info.fieldNodes.map((n) => n.selectionSet), info)) {
    const name = field.name.value;
    if (name === 'rows') {
      rows ??= { dimensions: [], measures: [], calcs: [] };
      collectMembers(field, `${dataset.typeName}Row`, info, dataset, rows);
    } else if (name === 'totals') {
      totals ??= { dimensions: [], measures: [], calcs: [] }; // totals types have no dimension fields
      collectMembers(field, `${dataset.typeName}Totals`, info, dataset, totals);
    }
  }
  return {
    dataset: dataset.name,
    rows,
    totals: totals && { measures: totals.measures, calcs: totals.calcs },
    where: args.where,
    having: args.having,
    orderBy: args.orderBy as DatasetRequest['orderBy'],
    limit: args.limit as number | null | undefined,
    offset: args.offset as number | null | undefined,
  };
}

/**
 * The dimensions, measures and calcs selected under one field whose type is `typeName`.
 * `extraNames` are further number fields of the type (a stream's history fields): selected
 * ones are collected in `extras`, and calcs may name them besides the measures.
 */
export function collectFields(parent: FieldNode, typeName: string, info: GraphQLResolveInfo, dataset: DatasetConfig, extraNames: readonly string[] = []) {
  const into = { dimensions: [] as { name: string; granularity: Granularity | null }[], measures: [] as string[], calcs: [] as string[], extras: [] as string[] };
  collectMembers(parent, typeName, info, dataset, into, extraNames);
  return into;
}

function collectMembers(
  parent: FieldNode,
  typeName: string,
  info: GraphQLResolveInfo,
  dataset: DatasetConfig,
  into: { dimensions: { name: string; granularity: Granularity | null }[]; measures: string[]; calcs: string[]; extras?: string[] },
  extraNames: readonly string[] = [],
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
      checkExpression(parseExpression(text, { label: 'calc' }), { label: 'calc', known: [...Object.keys(dataset.measures), ...extraNames], source: text });
      into.calcs.push(text);
    } else if (extraNames.includes(name)) {
      into.extras?.push(name);
    } else if (dataset.dimensions[name]) {
      const g = getArgumentValues(def, field, info.variableValues).granularity as string | null | undefined;
      into.dimensions.push({ name, granularity: g ? (g.toLowerCase() as Granularity) : null });
    } else if (dataset.measures[name]) {
      into.measures.push(name);
    } else if (dataset.relations[name]) {
      // A relation is looked up by its key dimensions, so they join the grouping.
      for (const dim of Object.keys(dataset.relations[name].on)) into.dimensions.push({ name: dim, granularity: null });
    }
  }
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
