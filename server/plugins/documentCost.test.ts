import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildTypeDefs, parseConfig } from '../../schema/index.ts';
import { documentCost } from './documentCost.ts';

/** The SDL a real config generates: `sales` relates to itself and to `regions`; one stream. */
const schema = buildSchema(
  buildTypeDefs(
    parseConfig(
      `
sources:
  db: { kind: postgres, url: "postgres://nobody@127.0.0.1:1/none" }
datasets:
  sales:
    source: db
    table: s.sales
    dimensions: { region: { type: string }, ts: { type: time } }
    measures: { revenue: { sum: amount } }
    relations: { sameRegion: { dataset: sales, on: { region: region } }, regionInfo: { dataset: regions, on: { region: region } } }
  regions:
    source: db
    table: s.regions
    dimensions: { region: { type: string } }
    measures: { area: { sum: area } }
streams:
  orders:
    kafka: { brokers: "", topic: t }
    dimensions: { region: { type: string } }
    measures: { n: { count: "*" } }
`,
      { env: {} },
    ),
  ),
);
const DEFAULT_LIMIT = 1000;

const CASES: readonly { name: string; query: string; variables?: Record<string, unknown>; operationName?: string; cost: number }[] = [
  { name: 'no dataset field', query: '{ __typename _datasets { name dimensions { name } } }', cost: 0 },
  { name: 'a dataset field without limit', query: '{ sales { rows { region } } }', cost: 1000 },
  { name: 'a literal limit', query: '{ sales(limit: 50) { rows { region } } }', cost: 50 },
  { name: 'totals cost 1', query: '{ sales(limit: 50) { rows { region } totals { revenue } } }', cost: 51 },
  { name: 'only totals and meta', query: '{ sales { totals { revenue } meta { cache sources { sql } } } }', cost: 1001 },
  { name: 'aliases each count', query: '{ a: sales(limit: 10) { rows { region } } b: sales(limit: 20) { rows { region } } regions { rows { region } } }', cost: 1030 },
  { name: 'a relation costs the rows again', query: '{ sales(limit: 10) { rows { region regionInfo { area } } } }', cost: 20 },
  { name: 'nested relations', query: '{ sales(limit: 10) { rows { sameRegion { sameRegion { regionInfo { area } } } } } }', cost: 40 },
  { name: 'a variable limit', query: 'query($n: Int) { sales(limit: $n) { rows { region } } }', variables: { n: 7 }, cost: 7 },
  { name: 'a variable with a default, not given', query: 'query($n: Int = 30) { sales(limit: $n) { rows { region } } }', cost: 30 },
  { name: 'a variable given null', query: 'query($n: Int = 30) { sales(limit: $n) { rows { region } } }', variables: { n: null }, cost: 1000 },
  { name: 'a variable of the wrong type (refused later, by coercion)', query: 'query($n: Int) { sales(limit: $n) { rows { region } } }', variables: { n: '5' }, cost: 1000 },
  { name: 'a negative limit (refused later, by the planner)', query: '{ sales(limit: -5) { rows { region } } }', cost: 0 },
  { name: 'limit: null', query: '{ sales(limit: null) { rows { region } } }', cost: 1000 },
  {
    name: 'fragments are followed, in rows and on the result',
    query: '{ a: sales(limit: 10) { ...R } b: sales(limit: 100) { ...R } } fragment R on SalesResult { rows { ...Row } totals { revenue } } fragment Row on SalesRow { region regionInfo { area } }',
    cost: 10 + 10 + 1 + 100 + 100 + 1,
  },
  { name: 'inline fragments', query: '{ ... on Query { sales(limit: 5) { ... on SalesResult { rows { ... { regionInfo { area } } } } } } }', cost: 10 },
  { name: 'a fragment spread on Query', query: '{ ...Q } fragment Q on Query { sales(limit: 3) { rows { region } } }', cost: 3 },
  { name: 'the named operation only', query: 'query A { sales(limit: 1) { rows { region } } } query B { sales(limit: 2) { rows { region } } }', operationName: 'B', cost: 2 },
  { name: 'no operation chosen among several', query: 'query A { sales { rows { region } } } query B { sales { rows { region } } }', cost: 0 },
  { name: 'a subscription reads no dataset', query: 'subscription { orders(window: { tumble: "1s" }) { rows { region n } } }', cost: 0 },
  { name: 'a fragment cycle (refused by validation) ends', query: '{ sales(limit: 4) { rows { ...A } } } fragment A on SalesRow { regionInfo { area } ...B } fragment B on SalesRow { ...A }', cost: 8 },
];

describe('documentCost', () => {
  it.each(CASES)('$name costs $cost', ({ query, variables, operationName, cost }) => {
    expect(documentCost(schema, parse(query), operationName, variables, DEFAULT_LIMIT)).toBe(cost);
  });

  it('costs a fragment spread many times over once per row limit (no exponential walk)', () => {
    // F0 is spread 2^40 times through the chain; costing each (fragment, rows) once keeps this instant.
    const chain = Array.from({ length: 40 }, (_, i) => `fragment F${i} on SalesRow { ...F${i + 1} ...F${i + 1} }`).join('\n');
    const query = `{ sales(limit: 1) { rows { ...F0 } } }\n${chain}\nfragment F40 on SalesRow { regionInfo { area } }`;
    const started = performance.now();
    expect(documentCost(schema, parse(query), undefined, {}, DEFAULT_LIMIT)).toBe(1 + 2 ** 40);
    expect(performance.now() - started).toBeLessThan(50);
  });
});
