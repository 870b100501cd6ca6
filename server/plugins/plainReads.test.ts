import { makeExecutableSchema } from '@graphql-tools/schema';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { PLAIN_READ_EXTENSION } from '../../resolvers/index.ts';
import { createCompiledQueries } from './compiledQueries.ts';

/** A row type whose measure resolver reads `revenue@<window>` with rolling:, else `revenue` (as resolvers/analyticsFieldResolvers.ts). */
function rowSchema() {
  const calls = { count: 0 };
  const revenue = (row: Record<string, number>, args: { rolling?: string | null }) => {
    calls.count += 1;
    return (args.rolling == null ? row.revenue : row[`revenue@${args.rolling}`]) ?? null;
  };
  const schema = makeExecutableSchema({
    typeDefs: 'type Row { region: String revenue(rolling: String): Float } type Query { rows: [Row!]! }',
    resolvers: { Query: { rows: () => [{ region: 'EU', revenue: 3, 'revenue@7d': 10 }, { region: 'US', revenue: 4 }] }, Row: { revenue: { resolve: revenue, extensions: { [PLAIN_READ_EXTENSION]: 'rolling' } } } },
  });
  return { schema, calls, revenue };
}

describe('compiled queries read marked fields inline', () => {
  it('without the marked argument anywhere in the document, the resolver is not called and values are the same', async () => {
    const { schema, calls, revenue } = rowSchema();
    const compiled = createCompiledQueries(10).get(schema, parse('{ rows { region revenue r: revenue } }'), undefined)!;
    expect(await compiled.query.query(null, {}, {})).toEqual({ data: { rows: [{ region: 'EU', revenue: 3, r: 3 }, { region: 'US', revenue: 4, r: 4 }] } });
    expect(calls.count).toBe(0);
    // The schema's resolver is back for every other use (graphql-js, other documents).
    const row = schema.getType('Row') as unknown as { getFields(): Record<string, { resolve?: unknown }> };
    expect(row.getFields().revenue!.resolve).toBe(revenue);
  });

  it('with it (literal, variable or in a fragment), the resolver runs', async () => {
    const { schema, calls } = rowSchema();
    const queries = createCompiledQueries(10);
    const literal = queries.get(schema, parse('{ rows { revenue w: revenue(rolling: "7d") } }'), undefined)!;
    expect(await literal.query.query(null, {}, {})).toEqual({ data: { rows: [{ revenue: 3, w: 10 }, { revenue: 4, w: null }] } });
    expect(calls.count).toBe(4);
    const fragment = queries.get(schema, parse('query($w: String) { rows { ...f } } fragment f on Row { revenue(rolling: $w) }'), undefined)!;
    expect(await fragment.query.query(null, {}, { w: '7d' })).toEqual({ data: { rows: [{ revenue: 10 }, { revenue: null }] } });
  });
});
