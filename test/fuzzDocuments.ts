/**
 * Deterministic hostile GraphQL requests generated from a schema (read by introspection):
 * dataset queries with wrong-typed, huge, deeply nested, unknown or missing arguments and
 * variables, bad enum values, selections that do not fit their types, garbage `calc`
 * expressions, broken documents and malformed request bodies. Every request is the raw HTTP
 * body, so the same seed replays the same bytes.
 */
import {
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  getNamedType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { seededRandom } from './support/seededRandom.ts';

export interface FuzzRequest {
  /** Which generator made it, for the failure message. */
  readonly kind: string;
  /** Its position in the generated sequence: seed and index replay it. */
  readonly index: number;
  readonly body: string;
}

/** How hostile a generated operation is: the chance of each kind of damage. */
interface Mood {
  readonly wrong: number;
  readonly unknown: number;
  readonly huge: number;
  readonly variables: number;
  readonly nesting: number;
}
const CALM: Mood = { wrong: 0.03, unknown: 0.02, huge: 0.02, variables: 0.3, nesting: 2 };

/** An enum value or a bare name: unquoted in a literal, a string in variables. */
class Bare {
  constructor(readonly name: string) {}
  toJSON() {
    return this.name;
  }
}

const HOSTILE_STRINGS = [
  'North', '', ' ', "O'Brien", "x'; drop table sales; --", '%', '_', '\\', '"', '$1', 'a\u0000b', '\u202Eevil', 'Zürich 東京 🚀',
  '2024-02-30', 'yesterday', '2024-01-01T24:00:00', '0050-06-01', '+275760-09-13', '-000001-01-01T00:00:00Z', '2024-05-01T12:00:00+25:00', 'NaN', '1e999',
];
const NUMBERS = [0, -1, 1, 0.5, -0.0, 3.14159, 1e308, -1e308, 5e-324, 2147483647, 2147483648, -2147483649, 9007199254740993, 1e21, 500, 501, 50_000];

export function fuzzDocuments(schema: GraphQLSchema, seed: number, count: number): FuzzRequest[] {
  const rand = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const chance = (p: number) => rand() < p;
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const query = schema.getQueryType()!;
  const datasets = Object.values(query.getFields()).filter((f) => getNamedType(f.type).name.endsWith('Result'));
  const nonsense = () => pick(['nope', 'rowz', 'DROP', '_', 'sales_', '__foo', 'revenue2', `x${between(0, 999)}`]);

  const hugeString = () => pick(['x', 'é', '🚀', "'", '(', 'a ']).repeat(between(2_000, 300_000));
  const string = (mood: Mood) => (chance(mood.huge) ? hugeString() : pick(HOSTILE_STRINGS));
  const wrongValue = (): unknown => pick<() => unknown>([() => pick(HOSTILE_STRINGS), () => pick(NUMBERS), () => true, () => null, () => [], () => ({}), () => ({ [nonsense()]: 1 }), () => new Bare(nonsense().toUpperCase()), () => [[[1]]]])();

  /** A value for `type`: mostly of the right shape, damaged as often as `mood` says. */
  const value = (type: GraphQLInputType, mood: Mood, depth = 0): unknown => {
    if (chance(mood.wrong)) return wrongValue();
    if (isNonNullType(type)) return value(type.ofType, mood, depth);
    if (isListType(type)) {
      // A long list of short values: long lists of huge strings would only test the client's memory.
      if (chance(mood.huge)) return Array.from({ length: between(40, 3_000) }, () => value(type.ofType, { ...mood, huge: 0, nesting: 0 }, depth + 1));
      return Array.from({ length: between(0, 3) }, () => value(type.ofType, mood, depth + 1));
    }
    if (isEnumType(type)) return new Bare(chance(mood.unknown * 3) ? nonsense().toUpperCase() : pick(type.getValues()).name);
    if (isScalarType(type)) {
      if (type.name === 'String') return string(mood);
      if (type.name === 'Boolean') return chance(0.5);
      if (type.name === 'Int') return !chance(mood.wrong * 3) ? pick([0, 1, 2, 10, 100, 499, 500, 501, 1000, 2147483647]) : pick(NUMBERS);
      return chance(mood.huge) ? pick([1e308, -1e308, 5e-324, 2 ** 63]) : pick(NUMBERS);
    }
    if (!isInputObjectType(type)) return null;
    const fields = Object.values(type.getFields());
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const nested = ['AND', 'OR', 'NOT'].includes(f.name);
      if (nested ? depth < mood.nesting && chance(0.25) : chance(1.5 / fields.length)) out[f.name] = value(f.type, mood, depth + 1);
    }
    if (chance(mood.unknown)) out[nonsense()] = wrongValue();
    return out;
  };

  /** GraphQL literal text for a JS value. */
  const literal = (v: unknown): string => {
    if (v instanceof Bare) return v.name;
    if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
    if (v !== null && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${literal(x)}`).join(', ')} }`;
    if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
    return JSON.stringify(v) ?? 'null';
  };

  const calcExpr = (mood: Mood, measures: readonly string[]): string => {
    const names = [...measures, 'revenu', 'region', 'sqrt', 'abs', 'coalesce', 'nullif', 'min', 'max'];
    const atoms = [...names, '1', '0', '.5', '5.', '1e999', '0x1F', '-', '+', '*', '/', '(', ')', ',', ' ', ';', "'", '"', '\\', '$1', 'é', '🚀', '\u0000'];
    switch (between(0, 5)) {
      case 0: return Array.from({ length: between(0, 30) }, () => pick(atoms)).join('');
      case 1: return `${'('.repeat(between(1, 1_500))}${pick(measures.length ? measures : ['1'])}${')'.repeat(between(0, 1_500))}`;
      case 2: return `${pick(names)}(${Array.from({ length: between(0, 4) }, () => pick(names)).join(', ')})`;
      case 3: return chance(mood.huge * 10) ? `1${' + 1'.repeat(between(500, 20_000))}` : `${pick(measures)} / (${pick(measures)} - ${pick(measures)})`;
      case 4: return pick(['', ' ', 'revenue revenue', 'revenue +', '()', '1 / 0', '-(-(-revenue))', 'max()', 'round(revenue, 2)', 'coalesce(null, 1)']);
      default: return Array.from({ length: between(1, 6) }, () => pick(measures.length ? measures : names)).join(pick([' + ', ' * ', ' / ', ' - ']));
    }
  };

  /** A selection set for `type`: a few of its fields, arguments made up, relations nested. */
  const selection = (type: GraphQLObjectType, mood: Mood, depth: number): string => {
    const fields = Object.values(type.getFields());
    const measures = fields.filter((f) => getNamedType(f.type).name === 'Float' && f.args.length === 0).map((f) => f.name);
    const parts: string[] = [];
    for (const f of fields) {
      if (!chance(2 / fields.length)) continue;
      const alias = chance(0.2) ? `${f.name}_${between(0, 9)}: ` : '';
      const args = f.args.length === 0 ? '' : f.name === 'calc' ? `(expr: ${JSON.stringify(calcExpr(mood, measures))})` : `(${f.args.map((a) => `${a.name}: ${literal(value(a.type, mood))}`).join(', ')})`;
      const named = getNamedType(f.type);
      if (isObjectType(named)) {
        if (depth < 4 && !chance(mood.wrong)) parts.push(`${alias}${f.name}${args} { ${selection(named, mood, depth + 1)} }`);
        else if (chance(0.5)) parts.push(`${alias}${f.name}${args}`); // an object without a selection
      } else parts.push(chance(mood.wrong) ? `${alias}${f.name}${args} { ${nonsense()} }` : `${alias}${f.name}${args}`);
    }
    if (chance(mood.unknown)) parts.push(nonsense());
    return parts.length ? parts.join(' ') : '__typename';
  };

  /** One to three dataset fields, their arguments as literals or variables. */
  const operation = (mood: Mood): string => {
    const declared: string[] = [];
    const variables: Record<string, unknown> = {};
    const roots = Array.from({ length: between(1, 3) }, (_, i) => {
      const field = pick(datasets);
      const args = field.args.filter(() => chance(0.5)).map((a) => {
        if (!chance(mood.variables)) return `${a.name}: ${literal(value(a.type, mood))}`;
        const name = `v${declared.length}`;
        declared.push(`$${name}: ${chance(mood.wrong) ? pick(['Int', 'String!', 'Nope', '[Int]', String(a.type) + '!']) : String(a.type)}`);
        if (!chance(mood.wrong)) variables[name] = value(a.type, mood);
        return `${a.name}: $${name}`;
      });
      if (chance(mood.unknown)) args.push(`${nonsense()}: ${literal(wrongValue())}`);
      return `r${i}: ${field.name}${args.length ? `(${args.join(', ')})` : ''} { ${selection(getNamedType(field.type) as GraphQLObjectType, mood, 1)} }`;
    });
    if (chance(mood.unknown)) roots.push(`${nonsense()} { x }`);
    const head = declared.length ? `query Fuzz(${declared.join(', ')})` : pick(['', 'query', 'query Fuzz']);
    return JSON.stringify({ query: `${head} { ${roots.join(' ')} }`, variables });
  };

  const datasetField = (): GraphQLField<unknown, unknown> => pick(datasets);
  const rowsOf = (f: GraphQLField<unknown, unknown>) => `${f.name} { rows { __typename } totals { __typename } }`;
  const deepWhere = (levels: number): unknown => {
    let where: unknown = { [pick(['region', 'product', 'qty'])]: { isNull: false } };
    for (let i = 0; i < levels; i++) where = pick([{ AND: [where] }, { OR: [where, {}] }, { NOT: where }]);
    return where;
  };

  const GENERATORS: Record<string, () => string> = {
    dataset: () => operation(CALM),
    wrongTypes: () => operation({ ...CALM, wrong: 0.35 }),
    unknownNames: () => operation({ ...CALM, unknown: 0.4 }),
    hugeValues: () => operation({ ...CALM, huge: 0.3 }),
    variables: () => operation({ ...CALM, variables: 0.9, wrong: 0.15 }),
    nesting: () => operation({ ...CALM, nesting: 8 }),
    deepWhere: () => {
      const f = datasetField();
      const where = deepWhere(between(1, 60));
      return chance(0.5)
        ? JSON.stringify({ query: `query($w: ${String(f.args.find((a) => a.name === 'where')!.type)}) { ${f.name}(where: $w) { rows { __typename } } }`, variables: { w: where } })
        : JSON.stringify({ query: `{ ${f.name}(where: ${literal(where)}) { totals { __typename } } }` });
    },
    badVariables: () => {
      const f = datasetField();
      return pick([
        () => JSON.stringify({ query: `{ ${f.name}(limit: $n) { rows { __typename } } }`, variables: { n: 1 } }),
        () => JSON.stringify({ query: `query($n: Int!) { ${f.name}(limit: $n) { rows { __typename } } }`, variables: pick([{}, { n: null }, { n: '5' }, { n: 1.5 }, { n: [5] }]) }),
        () => JSON.stringify({ query: `query($n: Int) { ${f.name}(limit: $n) { rows { __typename } } }`, variables: pick(['abc', [1, 2], 5, null, { n: 2 ** 53 }, { n: -(2 ** 31) - 1 }]) }),
        () => JSON.stringify({ query: `query($w: ${pick(['Nope', 'Int', 'String', 'SalesOrderBy', '[[SalesWhere!]!]!'])}) { ${f.name}(where: $w) { rows { __typename } } }`, variables: { w: wrongValue() } }),
        () => JSON.stringify({ query: `query($a: Int, $a: Int) { ${f.name}(limit: $a) { rows { __typename } } }`, variables: { a: 1 } }),
        () => JSON.stringify({ query: `query($unused: Int) { ${rowsOf(f)} }`, variables: { unused: 'x', extra: { deep: [1] } } }),
      ])();
    },
    badEnums: () => {
      const f = datasetField();
      const row = pick(['cache: NOPE', 'cache: "DEFAULT"', 'cache: default', 'orderBy: [{ revenue: UP }]', 'orderBy: { revenue: DESC }', 'orderBy: [{ revenue: DESC, region: ASC }]', 'orderBy: [{}]', 'cache: null', 'orderBy: [null]']);
      const gran = pick(['DAY', 'day', '"DAY"', 'FORTNIGHT', 'null', '1', '$g']);
      return JSON.stringify({ query: `{ ${f.name}(${row}) { rows { region ts(granularity: ${gran}) revenue } } }` });
    },
    badSelections: () => {
      const f = datasetField();
      return JSON.stringify(
        pick([
          { query: `{ ${f.name} }` },
          { query: `{ ${f.name} { rows } }` },
          { query: `{ ${f.name} { rows { region { x } } } }` },
          { query: `{ ${f.name} { totals { region } meta { cache { x } } } }` },
          { query: `{ ${f.name} { ...F } } fragment F on Query { __typename }` },
          { query: `{ ${f.name} { ...Missing } }` },
          { query: `{ ${f.name} { ...A } } fragment A on SalesResult { ...B } fragment B on SalesResult { ...A }` },
          { query: `{ ${f.name} { ... on Nope { x } } }` },
          { query: `query A { __typename } query A { __typename }` },
          { query: `query A { __typename } query B { ${rowsOf(f)} }` },
          { query: `query A { __typename }`, operationName: pick(['B', 5, null, {}]) },
          { query: `{ ${f.name} { rows { calc } totals { calc(expr: null) } } }` },
          { query: `{ a: ${f.name}(limit: 1) { rows { region } } a: ${f.name}(limit: 2) { rows { region } } }` },
          { query: `{ ${f.name} { rows { region: revenue region } } }` },
          { query: `{ ${f.name} { rows @skip(if: $nope) { region } } }` },
          { query: `{ ${f.name} { rows @unknown { region } meta @include { ageMs } } }` },
        ]),
      );
    },
    calc: () => {
      const f = datasetField();
      const row = getNamedType((getNamedType(f.type) as GraphQLObjectType).getFields().rows!.type) as GraphQLObjectType;
      const measures = Object.values(row.getFields()).filter((x) => getNamedType(x.type).name === 'Float' && x.args.length === 0).map((x) => x.name);
      const exprs = Array.from({ length: between(1, 3) }, () => calcExpr({ ...CALM, huge: 0.1 }, measures));
      const on = chance(0.5) ? 'rows' : 'totals';
      return chance(0.5)
        ? JSON.stringify({ query: `{ ${f.name} { ${on} { ${exprs.map((e, i) => `c${i}: calc(expr: ${JSON.stringify(e)})`).join(' ')} } } }` })
        : JSON.stringify({ query: `query($e: String!) { ${f.name} { ${on} { calc(expr: $e) } } }`, variables: { e: pick([exprs[0], null, 5, ['revenue']]) } });
    },
    tokenSoup: () => {
      const valid = `query Q($n: Int = 5) { ${datasetField().name}(limit: $n, where: { region: { in: ["a", "b"] } }) { rows { region revenue } totals { revenue } } }`;
      const soup = ['{', '}', '(', ')', '[', ']', ':', '$', '@', '!', '=', '|', '&', '...', '"', '"""', '#', 'query', 'fragment', 'on', 'null', '1.2.3', '0x10', '\u0000', '\uFEFF', 'é'];
      return JSON.stringify({
        query: pick([
          () => valid.slice(0, between(0, valid.length - 1)),
          () => Array.from({ length: between(1, 80) }, () => pick(soup)).join(pick(['', ' '])),
          () => valid.replace(/[{}()]/, pick(['', '{{', '))'])),
          () => `${'{'.repeat(between(50, 3_000))}`,
          () => `"""${'\\"""'.repeat(between(1, 100))}`,
          () => String.fromCharCode(...Array.from({ length: between(1, 200) }, () => between(0, 0xffff))),
        ])(),
      });
    },
    requestShape: () =>
      pick([
        '', 'null', '[]', '{}', '"query"', '{"query": 5}', '{"query": null}', '{"query": ["{ __typename }"]}', '{"query": {"a": 1}}',
        '{"query": "{ __typename }", "variables": "not json"}', '{"query": "{ __typename }", "extensions": 5}', '{"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}',
        '[{"query": "{ __typename }"}, {"query": "{ nope }"}]', '{"query": "{ __typename }"', '{"query": "{ __typename }"} trailing', `{"query": "${'\\u0000'.repeat(between(1, 50))}"}`,
        '{"query": "{ __typename }", "operationName": ["x"]}', '\u0000\u0001\u0002', '{"query": "{ __typename }", "__proto__": {"polluted": true}}',
      ]),
    introspection: () =>
      JSON.stringify({
        query: pick([
          '{ __schema { types { name fields { name args { name type { name kind ofType { name } } } } } } }',
          `{ __type(name: ${pick(['"SalesWhere"', '"Nope"', '5', 'null', '""'])}) { name inputFields { name } enumValues { name } } }`,
          '{ __schema { queryType { fields(includeDeprecated: "yes") { name } } } }',
          '{ __typename(x: 1) }',
          '{ __schema { directives { name locations args { defaultValue } } } }',
        ]),
      }),
    mutation: () => JSON.stringify({ query: pick(['mutation { invalidate }', 'mutation { invalidate(dataset: "sales") }', 'mutation { invalidate(dataset: 5) }', 'mutation { nope }', `mutation { ${datasetField().name} { rows { region } } }`, 'mutation M($d: String) { invalidate(dataset: $d) }']) }),
    // Over a plain (non-streaming) POST; the stream fields with arguments made up as for datasets.
    subscription: () => {
      const streams = Object.values(schema.getSubscriptionType()?.getFields() ?? {});
      const stream = streams.length && chance(0.7) ? pick(streams) : undefined;
      if (stream && chance(0.2)) return JSON.stringify({ query: `subscription { ${stream.name}(window: { tumble: "1s" }) { start rows { __typename } } }` });
      if (!stream) return JSON.stringify({ query: pick(['subscription { __typename }', 'subscription { nope }', `subscription { ${datasetField().name} { rows { region } } }`]) });
      const args = stream.args.filter((a) => isNonNullType(a.type) || chance(0.4)).map((a) => `${a.name}: ${literal(value(a.type, { ...CALM, wrong: 0.1 }))}`);
      return JSON.stringify({ query: `subscription { ${stream.name}${args.length ? `(${args.join(', ')})` : ''} { ${selection(getNamedType(stream.type) as GraphQLObjectType, CALM, 1)} } }` });
    },
    limits: () => {
      const f = datasetField();
      return JSON.stringify(
        pick([
          () => ({ query: `{ ${Array.from({ length: between(25, 40) }, (_, i) => `a${i}: ${rowsOf(f)}`).join(' ')} }` }),
          () => ({ query: `{ ${'__typename @include(if: true) '.repeat(between(45, 60))}}` }),
          () => ((k) => ({ query: `{ ${f.name} { rows { ${'sameRegion { '.repeat(k)}region${' }'.repeat(k)} } } }` }))(between(5, 15)),
          () => ({ query: `{ ${f.name}(limit: ${between(0, 500)}) { rows { region sameRegion { region sameRegion { revenue } } } } }` }),
          () => ({ query: `query($n: Int) { ${Array.from({ length: between(1, 12) }, (_, i) => `a${i}: ${f.name}(limit: $n) { rows { region } }`).join(' ')} }`, variables: { n: pick([100, 500, 50_000, 2_147_483_647]) } }),
        ])(),
      );
    },
  };
  const kinds = Object.keys(GENERATORS);
  return Array.from({ length: count }, (_, i) => {
    const kind = kinds[i % kinds.length]!;
    return { kind, index: i, body: GENERATORS[kind]!() };
  });
}
