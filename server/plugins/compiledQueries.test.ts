import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createCompiledQueries } from './compiledQueries.ts';

/** Two role schemas with the same type names: what one role reads must never run on the other. */
function roleSchema(secret: string) {
  const schema = buildSchema('input W { eq: String AND: [W!] NOT: W } type Query { sales(where: W): String subscription: Int } type Mutation { m: Int }');
  (schema.getQueryType()!.getFields().sales as { resolve?: unknown }).resolve = (_: unknown, args: unknown) => `${secret} ${JSON.stringify(args)}`;
  return schema;
}

describe('compiledQueries', () => {
  it('compiles per schema: one DocumentNode sent by two roles runs against each role its own schema', async () => {
    const compiled = createCompiledQueries(10);
    const document = parse('query($w: W) { sales(where: $w) }');
    const a = compiled.get(roleSchema('role A'), document, undefined)!;
    const schemaB = roleSchema('role B');
    const b = compiled.get(schemaB, document, undefined)!;
    expect(a).not.toBe(b);
    expect(compiled.get(schemaB, document, undefined)).toBe(b);
    const variables = { w: { AND: [{ NOT: { eq: 'x' } }] } }; // a recursive input type compiles and passes through
    const args = JSON.stringify({ where: variables.w });
    expect(await a.query.query(null, {}, variables)).toEqual({ data: { sales: `role A ${args}` } });
    expect(await b.query.query(null, {}, variables)).toEqual({ data: { sales: `role B ${args}` } });
  });

  it('leaves mutations, subscriptions and unknown or ambiguous operations to graphql-js', () => {
    const compiled = createCompiledQueries(10);
    const schema = roleSchema('x');
    expect(compiled.get(schema, parse('mutation { m }'), undefined)).toBeNull();
    expect(compiled.get(schema, parse('query A { sales } query B { sales }'), undefined)).toBeNull();
    expect(compiled.get(schema, parse('query A { sales }'), 'Nope')).toBeNull();
    expect(compiled.get(schema, parse('query A { sales } query B { sales }'), 'B')).not.toBeNull();
  });

  it('keeps at most the configured number of documents per schema', () => {
    const compiled = createCompiledQueries(2);
    const schema = roleSchema('x');
    const first = parse('{ sales }');
    const kept = compiled.get(schema, first, undefined);
    compiled.get(schema, parse('{ a: sales }'), undefined);
    compiled.get(schema, parse('{ b: sales }'), undefined);
    expect(compiled.get(schema, first, undefined)).not.toBe(kept); // evicted, compiled again
  });
});
