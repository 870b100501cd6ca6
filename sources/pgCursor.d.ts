// The part of pg-cursor (no bundled types) that PostgresSource uses.
declare module 'pg-cursor' {
  import type { Submittable } from 'pg';
  export default class Cursor<Row = unknown[]> implements Submittable {
    constructor(text: string, values?: unknown[], config?: { rowMode?: 'array' });
    submit: Submittable['submit'];
    read(rows: number): Promise<Row[]>;
    close(): Promise<void>;
  }
}
