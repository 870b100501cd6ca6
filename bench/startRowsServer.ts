import { startBareYoga, type BareYoga } from './startBareYoga.ts';

type Row = Readonly<Record<string, unknown>>;

/**
 * The floor for serving a list of rows with GraphQL in this process: a bare Yoga whose
 * `sales { rows { … } }` returns `rows`, plain objects held in memory, through default
 * resolvers. Each field's type comes from its values (String, Float or Boolean), so asking
 * for the rows' keys in order serializes exactly the JSON the gateway sent.
 */
export function startRowsServer(rows: readonly Row[]): Promise<BareYoga> {
  const fields = Object.keys(rows[0] ?? {}).map((name) => `${name}: ${scalarOf(rows, name)}`);
  const typeDefs = `type Query { sales: SalesResult! } type SalesResult { rows: [SalesRow!]! } type SalesRow { ${fields.join(' ') || 'none: String'} }`;
  const result = { rows };
  return startBareYoga(typeDefs, { Query: { sales: () => result } });
}

function scalarOf(rows: readonly Row[], name: string): string {
  const value = rows.find((r) => r[name] !== null && r[name] !== undefined)?.[name];
  return typeof value === 'number' ? 'Float' : typeof value === 'boolean' ? 'Boolean' : 'String';
}
