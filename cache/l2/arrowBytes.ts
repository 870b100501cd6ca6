import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';

/** A core's Arrow table as IPC stream bytes: what L2 stores. */
export function tableToBytes(table: Table): Uint8Array {
  return tableToIPC(table, 'stream');
}

/**
 * The table back from IPC bytes. The bytes are copied first: a Buffer read off a socket may
 * sit at any offset of a pooled ArrayBuffer, and Arrow views its columns (Float64Array, ...)
 * in place, which needs their alignment.
 */
export function tableFromBytes(bytes: Uint8Array): Table {
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  return tableFromIPC(aligned);
}
