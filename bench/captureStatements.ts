import type { Gateway } from '../server/index.ts';

/** A statement a source was asked to run, with its bound parameters. */
export interface SentStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** Runs `request` and returns the statements the gateway sent to source `sourceName` meanwhile. */
export async function captureStatements(gateway: Gateway, sourceName: string, request: () => Promise<unknown>): Promise<SentStatement[]> {
  const source = gateway.sources.get(sourceName)!;
  const seen: SentStatement[] = [];
  const execute = source.execute.bind(source);
  (source as { execute: typeof source.execute }).execute = (q, o) => (seen.push({ sql: q.sql, params: q.params }), execute(q, o));
  try {
    await request();
  } finally {
    (source as { execute: typeof source.execute }).execute = execute;
  }
  return seen;
}
