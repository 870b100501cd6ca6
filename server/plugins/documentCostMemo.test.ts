import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { documentCost } from './documentCost.ts';
import { createDocumentCostMemo } from './documentCostMemo.ts';

const schema = buildSchema(`
  type Query { sales(limit: Int, where: String): SalesResult! }
  type SalesResult { rows: [SalesRow!]! totals: SalesTotals }
  type SalesRow { region: String same: SalesResult }
  type SalesTotals { revenue: Float }
`);
const other = buildSchema('type Query { x: Int }');

/** One parsed document, as Yoga's parse cache hands it to every request of the same text. */
const DOCUMENT = parse(`
  query A($n: Int = 30, $m: Int, $w: String) { a: sales(limit: $n, where: $w) { rows { region } } b: sales(limit: $m) { totals { revenue } } }
  query B { sales(limit: 5) { rows { region } } }
`);

describe('documentCostMemo', () => {
  it('answers as documentCost for every operation and limit variable, whatever came before', () => {
    const memo = createDocumentCostMemo();
    const requests: [string | undefined, Record<string, unknown> | undefined][] = [
      ['A', {}],
      ['A', { n: null }],
      ['A', undefined],
      ['A', { n: 7 }],
      ['A', { n: 7, w: 'x' }],
      ['A', { n: 7, w: 'y', m: 2 }],
      ['A', { n: [30] }],
      ['A', { n: 0 }],
      ['B', { n: 7 }],
      ['A', {}],
      ['A', { m: 2 }],
    ];
    for (const round of [1, 2]) {
      for (const [operationName, variables] of requests) {
        const want = documentCost(schema, DOCUMENT, operationName, variables, 1000);
        expect(memo(schema, DOCUMENT, operationName, variables, 1000), `${operationName} ${JSON.stringify(variables)} round ${round}`).toBe(want);
      }
    }
    // Not given (default 30) and given as something that costs the default limit differ.
    expect(memo(schema, DOCUMENT, 'A', {}, 1000)).toBe(30 + 1000 + 1);
    expect(memo(schema, DOCUMENT, 'A', { n: null }, 1000)).toBe(1000 + 1000 + 1);
    expect(memo(schema, DOCUMENT, 'A', {}, 50)).toBe(30 + 50 + 1);
  });

  it('keeps schemas apart', () => {
    const memo = createDocumentCostMemo();
    expect(memo(schema, DOCUMENT, 'B', {}, 1000)).toBe(5);
    expect(memo(other, DOCUMENT, 'B', {}, 1000)).toBe(0);
  });
});
