/**
 * Bad input over real HTTP: every malformed, hostile or over-limit request gets one GraphQL
 * error with a registry code and a message naming what was expected and what was received,
 * and the server answers a known-good query correctly right after. Hostile strings are data:
 * they match literally and leave the table as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';
import {
  BAD_INPUT_CONFIG,
  BAD_SCHEMA,
  BROKEN_SOURCES_CONFIG,
  createBadInputTable,
  KNOWN_GOOD_ANSWER,
  KNOWN_GOOD_QUERY,
  nestedWhere,
  postGraphQL,
  startUncheckedGateway,
  tableFingerprint,
  values,
} from './badInputFixture.ts';

interface BadCase {
  readonly name: string;
  /** Omitted: the request carries no query at all. */
  readonly query?: string;
  readonly variables?: Record<string, unknown>;
  readonly code: string;
  readonly message: string | RegExp;
  readonly extensions?: Record<string, unknown>;
}

const VALIDATION = 'GRAPHQL_VALIDATION_FAILED';
const BAD = 'BAD_USER_INPUT';
const LIMIT = 'LIMIT_EXCEEDED';
const rowsOf = (args: string, selection = 'region revenue') => `{ sales(${args}) { rows { ${selection} } } }`;
const calc = (expr: string, on: 'rows' | 'totals' = 'rows') => `{ sales { ${on} { calc(expr: ${JSON.stringify(expr)}) } } }`;
const WHERE = 'query($w: SalesWhere) { sales(where: $w) { rows { region } } }';
const HAVING = 'query($h: SalesHaving) { sales(having: $h) { rows { region } } }';
const ORDER = 'query($o: [SalesOrderBy!]) { sales(orderBy: $o) { rows { region } } }';
const LIMITS = 'query($l: Int, $o: Int) { sales(limit: $l, offset: $o) { rows { region } } }';
const ISO = (got: string, at = 'where.ts.eq') =>
  `${at}: expected an ISO-8601 date or date-time such as "2024-05-01" or "2024-05-01T12:00:00Z", got ${JSON.stringify(got)}`;

const BAD_CASES: readonly BadCase[] = [
  // Unknown names
  { name: 'unknown row field', query: '{ sales { rows { region nope } } }', code: VALIDATION, message: 'Cannot query field "nope" on type "SalesRow".' },
  { name: 'dimension under totals', query: '{ sales { totals { region } } }', code: VALIDATION, message: 'Cannot query field "region" on type "SalesTotals".' },
  { name: 'unknown dataset', query: '{ nosuch { rows { region } } }', code: VALIDATION, message: 'Cannot query field "nosuch" on type "Query".' },
  { name: 'unknown where field (literal)', query: rowsOf('where: { nope: { eq: "x" } }'), code: VALIDATION, message: /^Field "nope" is not defined by type "SalesWhere"\./ },
  { name: 'unknown where field (variable)', query: WHERE, variables: { w: { nope: { eq: 'x' } } }, code: BAD, message: /^Variable "\$w" got invalid value \{ nope: \{ eq: "x" \} \}; Field "nope" is not defined by type "SalesWhere"\./ },
  { name: 'unknown filter operator', query: rowsOf('where: { region: { like: "x%" } }'), code: VALIDATION, message: /^Field "like" is not defined by type "StringFilter"\./ },
  { name: 'unknown orderBy field (literal)', query: rowsOf('orderBy: [{ nope: ASC }]'), code: VALIDATION, message: 'Field "nope" is not defined by type "SalesOrderBy".' },
  { name: 'unknown orderBy field (variable)', query: ORDER, variables: { o: [{ nope: 'ASC' }] }, code: BAD, message: 'Variable "$o" got invalid value { nope: "ASC" } at "o[0]"; Field "nope" is not defined by type "SalesOrderBy".' },
  // Wrong value types
  { name: 'string for Int limit (literal)', query: rowsOf('limit: "5"'), code: VALIDATION, message: 'Int cannot represent non-integer value: "5"' },
  { name: 'string for Int limit (variable)', query: LIMITS, variables: { l: '5' }, code: BAD, message: 'Variable "$l" got invalid value "5"; Int cannot represent non-integer value: "5"' },
  { name: 'limit beyond 32 bits', query: rowsOf('limit: 99999999999'), code: VALIDATION, message: 'Int cannot represent non 32-bit signed integer value: 99999999999' },
  { name: 'number for a string filter (literal)', query: rowsOf('where: { region: { eq: 5 } }'), code: VALIDATION, message: 'String cannot represent a non string value: 5' },
  { name: 'number for a string filter (variable)', query: WHERE, variables: { w: { region: { eq: 5 } } }, code: BAD, message: 'Variable "$w" got invalid value 5 at "w.region.eq"; String cannot represent a non string value: 5' },
  { name: 'string for a number filter (variable)', query: WHERE, variables: { w: { qty: { eq: '3' } } }, code: BAD, message: 'Variable "$w" got invalid value "3" at "w.qty.eq"; Float cannot represent non numeric value: "3"' },
  { name: 'object for a scalar (literal)', query: rowsOf('where: { region: { eq: { a: 1 } } }'), code: VALIDATION, message: 'String cannot represent a non string value: {a: 1}' },
  { name: 'object for a scalar (variable)', query: WHERE, variables: { w: { region: { eq: { a: 1 } } } }, code: BAD, message: 'Variable "$w" got invalid value { a: 1 } at "w.region.eq"; String cannot represent a non string value: { a: 1 }' },
  { name: 'scalar for an input object (variable)', query: WHERE, variables: { w: { region: 'North' } }, code: BAD, message: 'Variable "$w" got invalid value "North" at "w.region"; Expected type "StringFilter" to be an object.' },
  { name: 'number filter overflowing to Infinity', query: rowsOf('where: { qty: { eq: 1e400 } }'), code: BAD, message: /^where\.qty\.eq: expected a finite number, got / },
  // Limits, offsets and orderBy
  { name: 'limit over the maximum (literal)', query: rowsOf('limit: 501'), code: LIMIT, message: 'limit: 501 is over the maximum of 500' },
  { name: 'limit over the maximum (variable)', query: LIMITS, variables: { l: 100000 }, code: LIMIT, message: 'limit: 100000 is over the maximum of 500' },
  { name: 'negative limit', query: rowsOf('limit: -1'), code: BAD, message: 'limit: expected 0 or more, got -1' },
  { name: 'negative offset', query: LIMITS, variables: { o: -5 }, code: BAD, message: 'offset: expected 0 or more, got -5' },
  { name: 'orderBy entry with no field', query: rowsOf('orderBy: [{}]'), code: BAD, message: 'orderBy[0]: expected exactly one field per entry, such as { revenue: DESC }, got none' },
  { name: 'orderBy entry with two fields (literal)', query: rowsOf('orderBy: [{ revenue: DESC }, { region: ASC, qty: DESC }]'), code: BAD, message: 'orderBy[1]: expected exactly one field per entry, such as { revenue: DESC }, got region, qty' },
  { name: 'orderBy entry with two fields (variable)', query: ORDER, variables: { o: [{ region: 'ASC', revenue: 'DESC' }] }, code: BAD, message: 'orderBy[0]: expected exactly one field per entry, such as { revenue: DESC }, got region, revenue' },
  { name: 'orderBy on a dimension not selected', query: rowsOf('orderBy: [{ product: ASC }]'), code: BAD, message: 'orderBy[0]: dimension "product" is not selected in rows; select it to sort by it' },
  { name: 'orderBy direction not in the enum', query: rowsOf('orderBy: [{ region: SIDEWAYS }]'), code: VALIDATION, message: 'Value "SIDEWAYS" does not exist in "SortDirection" enum.' },
  // calc
  { name: 'malformed calc', query: calc('revenue + * 2'), code: BAD, message: 'calc: unexpected "*" at column 11 in "revenue + * 2"', extensions: { position: 10 } },
  { name: 'calc missing a parenthesis', query: calc('(revenue + 1'), code: BAD, message: 'calc: expected ")" at column 13 but the expression ended', extensions: { position: 12 } },
  { name: 'calc with SQL in it', query: calc('revenue); drop table x; --'), code: BAD, message: 'calc: unexpected character ";" at column 9 in "revenue); drop table x; --"', extensions: { position: 8 } },
  { name: 'calc with an unknown function', query: calc('sqrt(revenue)'), code: BAD, message: 'calc: unknown function "sqrt" at column 1; known: abs, round, floor, ceil, coalesce, nullif, min, max, total, parent', extensions: { position: 0 } },
  { name: 'calc naming an unknown measure', query: calc('orders + revenu * 2', 'totals'), code: BAD, message: 'calc: unknown name "revenu" at column 10 in "orders + revenu * 2"; known: avgAmount, orders, revenue; did you mean "revenue"?', extensions: { position: 9 } },
  { name: 'calc dividing by the constant zero', query: calc('revenue / (1 - 1)'), code: BAD, message: 'calc: division by the constant zero at column 9 in "revenue / (1 - 1)"', extensions: { position: 8 } },
  { name: 'calc over the length limit', query: calc(`revenue + ${'1'.repeat(1991)}`), code: LIMIT, message: 'calc: the expression is 2001 characters long; the maximum is 2000', extensions: { position: 2000 } },
  { name: 'calc without expr', query: '{ sales { rows { calc } } }', code: VALIDATION, message: 'Field "calc" argument "expr" of type "String!" is required, but it was not provided.' },
  // Filter sizes and depths
  { name: 'IN list over maxInList (literal)', query: rowsOf(`where: { region: { in: ${JSON.stringify(values(51))} } }`), code: LIMIT, message: 'where.region.in: 51 values exceed the limit of 50' },
  { name: 'huge notIn list (variable)', query: WHERE, variables: { w: { OR: [{ product: { notIn: values(5000) } }] } }, code: LIMIT, message: 'where.OR[0].product.notIn: 5000 values exceed the limit of 50' },
  { name: 'NOT nested past maxFilterDepth (literal)', query: rowsOf('where: { NOT: { NOT: { NOT: { NOT: { region: { eq: "x" } } } } } }'), code: LIMIT, message: 'where is nested deeper than 4 levels of AND/OR/NOT (at where.NOT.NOT.NOT.NOT)' },
  { name: 'AND/OR nested past maxFilterDepth (variable)', query: WHERE, variables: { w: nestedWhere(4) }, code: LIMIT, message: 'where is nested deeper than 4 levels of AND/OR/NOT (at where.OR[0].AND[0].OR[0].AND[0])' },
  { name: 'having nested past maxFilterDepth (variable)', query: HAVING, variables: { h: { NOT: { NOT: { NOT: { NOT: { revenue: { gt: 1 } } } } } } }, code: LIMIT, message: 'having is nested deeper than 4 levels of AND/OR/NOT (at having.NOT.NOT.NOT.NOT)' },
  // Time values and nulls
  { name: 'time filter "yesterday"', query: rowsOf('where: { ts: { eq: "yesterday" } }'), code: BAD, message: ISO('yesterday') },
  { name: 'time filter month 13', query: rowsOf('where: { ts: { gte: "2024-13-01" } }'), code: BAD, message: ISO('2024-13-01', 'where.ts.gte') },
  { name: 'time filter February 30 (variable)', query: WHERE, variables: { w: { AND: [{ ts: { lt: '2024-02-30' } }] } }, code: BAD, message: ISO('2024-02-30', 'where.AND[0].ts.lt') },
  { name: 'time filter hour 24', query: rowsOf('where: { ts: { eq: "2024-01-01T24:00:00" } }'), code: BAD, message: ISO('2024-01-01T24:00:00') },
  { name: 'eq: null (literal)', query: rowsOf('where: { region: { eq: null } }'), code: BAD, message: 'where.region.eq: null is not a value to compare with; use isNull: true to match missing values' },
  { name: 'eq: null (variable)', query: WHERE, variables: { w: { qty: { eq: null } } }, code: BAD, message: 'where.qty.eq: null is not a value to compare with; use isNull: true to match missing values' },
  { name: 'null inside an IN list', query: rowsOf('where: { region: { in: ["North", null] } }'), code: VALIDATION, message: 'Expected value of type "String!", found null.' },
  // Documents
  { name: 'syntax error: unexpected end', query: '{ sales { rows { region }', code: 'GRAPHQL_PARSE_FAILED', message: 'Syntax Error: Expected Name, found <EOF>.' },
  { name: 'syntax error: unterminated string', query: rowsOf('where: { region: { eq: "North } }'), code: 'GRAPHQL_PARSE_FAILED', message: 'Syntax Error: Unterminated string.' },
  { name: 'object field without a selection', query: '{ sales }', code: VALIDATION, message: 'Field "sales" of type "SalesResult!" must have a selection of subfields. Did you mean "sales { ... }"?' },
  { name: 'undefined variable', query: rowsOf('limit: $n'), code: VALIDATION, message: 'Variable "$n" is not defined.' },
  { name: 'unknown granularity (literal)', query: '{ sales { rows { ts(granularity: FORTNIGHT) } } }', code: VALIDATION, message: 'Value "FORTNIGHT" does not exist in "TimeGranularity" enum.' },
  { name: 'unknown granularity (variable)', query: 'query($g: TimeGranularity) { sales { rows { ts(granularity: $g) } } }', variables: { g: 'fortnight' }, code: BAD, message: 'Variable "$g" got invalid value "fortnight"; Value "fortnight" does not exist in "TimeGranularity" enum.' },
  // Yoga's own code: not in errors/index.ts (reported).
  { name: 'request without a query', variables: {}, code: 'BAD_REQUEST', message: 'Must provide query string.' },
];

/** Hostile strings as filter values: they must match literally, like any other data. */
interface DataCase {
  readonly name: string;
  /** Variables for WHERE_PRODUCTS, or a literal where input (GraphQL text). */
  readonly where: Record<string, unknown> | string;
  readonly products: readonly (string | null)[];
}

const INJECTION = `x'; drop table ${BAD_SCHEMA}.sales; --`;
const NOT_NORTH = ["O'Brien", '100%', 'a_b', 'say "hi"', 'Zürich 東京 🚀', INJECTION, 'aXb'];

const DATA_CASES: readonly DataCase[] = [
  { name: 'eq the SQL statement (literal) matches its own row', where: `{ product: { eq: ${JSON.stringify(INJECTION)} } }`, products: [INJECTION] },
  { name: "quote-OR-'1'='1' matches nothing", where: { region: { eq: "North' OR '1'='1" } }, products: [] },
  { name: "contains ' (literal)", where: `{ product: { contains: "'" } }`, products: ["O'Brien", INJECTION] },
  { name: 'contains " (literal)', where: `{ product: { contains: ${JSON.stringify('"')} } }`, products: ['say "hi"'] },
  { name: 'contains a backslash (literal)', where: `{ product: { contains: ${JSON.stringify('\\')} } }`, products: ['back\\slash'] },
  { name: 'contains % is not a wildcard', where: { product: { contains: '%' } }, products: ['100%'] },
  { name: 'contains _ is not a wildcard', where: { product: { contains: '_' } }, products: ['a_b', INJECTION] },
  { name: 'startsWith a_ does not match aXb', where: { product: { startsWith: 'a_' } }, products: ['a_b'] },
  { name: 'startsWith % matches nothing', where: { product: { startsWith: '%' } }, products: [] },
  { name: 'contains \\% matches nothing', where: { product: { contains: '\\%' } }, products: [] },
  { name: "contains '; drop (variable)", where: { product: { contains: "'; drop table" } }, products: [INJECTION] },
  { name: 'contains unicode', where: { product: { contains: '東京 🚀' } }, products: ['Zürich 東京 🚀'] },
  { name: 'eq a placeholder text', where: { product: { eq: '$1' } }, products: [] },
  { name: 'in with quotes and unicode', where: { product: { in: ['Zürich 東京 🚀', "'", '"); drop table x; --'] } }, products: ['Zürich 東京 🚀'] },
  { name: 'notIn with the SQL statement', where: { product: { notIn: [INJECTION, 'plain'] } }, products: ["O'Brien", '100%', 'a_b', 'back\\slash', 'say "hi"', 'Zürich 東京 🚀', 'aXb'] },
  { name: 'IN list one under maxInList works', where: { region: { in: [...values(49), 'North'] } }, products: ['plain', 'back\\slash', null] },
  { name: 'nesting at maxFilterDepth works (variable)', where: nestedWhere(3), products: ['plain', 'back\\slash', null] },
  { name: 'NOT nested at maxFilterDepth works (literal)', where: '{ NOT: { NOT: { NOT: { region: { eq: "North" } } } } }', products: NOT_NORTH },
];

const WHERE_PRODUCTS = 'query($w: SalesWhere) { sales(where: $w) { rows { product } } }';
const literalProducts = (where: string) => `{ sales(where: ${where}) { rows { product } } }`;

const admin = await connectTestPostgres();

describe.skipIf(!admin)('bad input over HTTP (real Postgres)', () => {
  let gw: TestGateway;
  let broken: Awaited<ReturnType<typeof startUncheckedGateway>>;
  let before: Awaited<ReturnType<typeof tableFingerprint>>;

  beforeAll(async () => {
    await createBadInputTable(admin!);
    before = await tableFingerprint(admin!);
    gw = await startTestGateway(BAD_INPUT_CONFIG(TEST_PG_URL));
    broken = await startUncheckedGateway(BROKEN_SOURCES_CONFIG(TEST_PG_URL));
  });

  afterAll(async () => {
    await gw?.close();
    await broken?.close();
    await admin?.query(`drop schema if exists ${BAD_SCHEMA} cascade`);
    await admin?.end();
  });

  async function expectOneError(url: string, c: BadCase): Promise<void> {
    const body = c.query === undefined ? { variables: c.variables } : { query: c.query, variables: c.variables ?? {} };
    const response = await postGraphQL(url, body);
    expect(response.errors, JSON.stringify(response)).toHaveLength(1);
    const error = response.errors![0]!;
    expect(error.extensions?.code, error.message).toBe(c.code);
    if (typeof c.message === 'string') expect(error.message).toBe(c.message);
    else expect(error.message).toMatch(c.message);
    if (c.extensions) expect(error.extensions).toMatchObject(c.extensions);
    expect(response.data ?? null).toBeNull();
  }

  async function expectStillServing(url: string): Promise<void> {
    expect(await postGraphQL(url, { query: KNOWN_GOOD_QUERY })).toEqual({ data: KNOWN_GOOD_ANSWER });
  }

  it('answers the known-good query before any bad input', async () => {
    await expectStillServing(gw.server.url);
    await expectStillServing(broken.server.url);
  });

  it.each(BAD_CASES)('$name → $code', async (c) => {
    await expectOneError(gw.server.url, c);
    await expectStillServing(gw.server.url);
  });

  it.each(DATA_CASES)('data, not SQL: $name', async (c) => {
    const response =
      typeof c.where === 'string'
        ? await gw.query(literalProducts(c.where))
        : await gw.query(WHERE_PRODUCTS, { w: c.where });
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    const products = (response.data.sales.rows as { product: string | null }[]).map((r) => r.product);
    expect(products.sort()).toEqual([...c.products].sort());
    expect(await tableFingerprint(admin!)).toEqual(before);
    await expectStillServing(gw.server.url);
  });

  const SOURCE_CASES: readonly BadCase[] = [
    { name: 'a source that is down', query: '{ offline { rows { region orders } } }', code: 'SOURCE_UNAVAILABLE', message: 'source down is unavailable', extensions: { source: 'down' } }, // the driver's text is in the log (errorHygiene.test.ts)
    { name: 'a statement timeout', query: '{ sleepy { totals { v } } }', code: 'SOURCE_TIMEOUT', message: 'source slow: query ran past the statement timeout of 200 ms', extensions: { source: 'slow' } },
    // The infinity timestamp cannot be formatted (RangeError in formatWall); reported as a bug.
    { name: 'an unexpected error is masked', query: '{ endless { rows { ts v } } }', code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.' },
  ];

  it.each(SOURCE_CASES)('source failure: $name → $code', async (c) => {
    await expectOneError(broken.server.url, c);
    const raw = JSON.stringify(await postGraphQL(broken.server.url, { query: c.query }));
    expect(raw).not.toMatch(/RangeError|Invalid time value|stack/);
    await expectStillServing(broken.server.url);
    await expectStillServing(gw.server.url);
  });

  it('years 0000-0099 in time filters are not read as 1900-1999', async () => {
    const response = await gw.query(WHERE_PRODUCTS, { w: { ts: { lt: '0050-06-01' } } });
    expect(response.data.sales.rows).toEqual([]); // gets the 1900-06-01 row: "0050" became 1950
  });

  it('a NUL character in a string value is BAD_USER_INPUT', async () => {
    const response = await gw.query(WHERE_PRODUCTS, { w: { product: { eq: 'a\u0000b' } } });
    expect(response.errors?.[0]?.extensions?.code).toBe(BAD);
  });

  it('an infinite number filter says "got Infinity"', async () => {
    const response = await gw.query(rowsOf('where: { qty: { eq: 1e400 } }'));
    expect(response.errors?.[0]?.message).toBe('where.qty.eq: expected a finite number, got Infinity');
  });

  it('leaves the table intact after everything', async () => {
    expect(await tableFingerprint(admin!)).toEqual(before);
    const { rows } = await admin!.query(`select count(*)::int as n from ${BAD_SCHEMA}.sales`);
    expect(rows[0].n).toBe(10);
    await expectStillServing(gw.server.url);
  });
});
