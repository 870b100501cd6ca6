import type { Data, Table } from 'apache-arrow';

/**
 * What a table's cells are made of: per column, its name and, per chunk, its type, offset,
 * length and the exact views of its buffers. Arrow buffers are never written after they
 * are built, and a view's memory cannot be reused while a table holding it is alive, so
 * two tables with equal fingerprints hold the same cells. (The gateway hands a top-N a new
 * `table.slice` of the same cached table on every request: same buffers, new objects.)
 */
export type Fingerprint = readonly unknown[];

export function fingerprintOf(table: Table): Fingerprint {
  const parts: unknown[] = [table.numRows];
  for (const field of table.schema.fields) {
    const column = table.getChild(field.name);
    parts.push(field.name, column?.data.length ?? -1);
    for (const chunk of column?.data ?? []) parts.push(chunk.type.typeId, chunk.offset, chunk.length, ...views(chunk));
  }
  return parts;
}

export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

/** The first buffer a table's cells live in: an index for finding tables of the same cells. */
export function firstBufferOf(table: Table): ArrayBuffer | undefined {
  for (const field of table.schema.fields) {
    const chunk = table.getChild(field.name)?.data[0];
    const buffer = (chunk?.values as ArrayBufferView | undefined)?.buffer;
    if (buffer instanceof ArrayBuffer) return buffer;
  }
  return undefined;
}

function views(chunk: Data): unknown[] {
  const out: unknown[] = [];
  for (const view of [chunk.values, chunk.valueOffsets, chunk.nullBitmap] as (ArrayBufferView | undefined)[]) {
    if (view) out.push(view.buffer, view.byteOffset, view.byteLength);
    else out.push(null);
  }
  return out;
}
