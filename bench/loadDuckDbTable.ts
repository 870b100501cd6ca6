import type { DuckDBConnection } from '@duckdb/node-api';
import { DataType, type Table } from 'apache-arrow';

/** Double-quotes an SQL identifier (DuckDB and Postgres rules). */
export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

function sqlType(type: DataType, column: string): string {
  if (DataType.isUtf8(type)) return 'VARCHAR';
  if (DataType.isFloat(type)) return 'DOUBLE';
  if (DataType.isBool(type)) return 'BOOLEAN';
  throw new Error(`loadDuckDbTable: column "${column}" is ${type}; expected Utf8, Float64 or Bool (what rowsToArrow builds)`);
}

/**
 * (Re)creates table `name` in DuckDB with the columns and rows of an Arrow result table
 * (Utf8 → VARCHAR, Float64 → DOUBLE, Bool → BOOLEAN), loaded through an appender.
 */
export async function loadDuckDbTable(connection: DuckDBConnection, name: string, table: Table): Promise<void> {
  const fields = table.schema.fields;
  const columns = fields.map((f) => `${quoteIdentifier(f.name)} ${sqlType(f.type, f.name)}`);
  await connection.run(`CREATE OR REPLACE TABLE ${quoteIdentifier(name)} (${columns.join(', ')})`);
  const vectors = fields.map((f) => table.getChild(f.name)!);
  const appenders = fields.map((f) => {
    if (DataType.isUtf8(f.type)) return (v: unknown) => appender.appendVarchar(v as string);
    if (DataType.isBool(f.type)) return (v: unknown) => appender.appendBoolean(v as boolean);
    return (v: unknown) => appender.appendDouble(v as number);
  });
  const appender = await connection.createAppender(name);
  try {
    for (let row = 0; row < table.numRows; row++) {
      vectors.forEach((vector, i) => {
        const value: unknown = vector.get(row);
        if (value === null || value === undefined) appender.appendNull();
        else appenders[i]!(value);
      });
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
