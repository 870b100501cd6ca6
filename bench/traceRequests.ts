import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Source } from '../sources/index.ts';
import type { BenchGateway } from './benchGateway.ts';
import { dataOrThrow } from './benchGateway.ts';
import { summarize } from './stats.ts';

/** Median milliseconds of each segment of a real gateway request, with the direct query beside it. */
export interface RequestTrace {
  readonly requests: number;
  /** The client's request started → the server's 'request' event: request building, loopback, HTTP parsing. */
  readonly clientToServer: number;
  /** 'request' event → the source is called: body read, Yoga, GraphQL parse/validate/execute, plan, SQL. */
  readonly serverToSource: number;
  /** The source adapter's execute: pool checkout, pg round trip, rowsToArrow. */
  readonly source: number;
  /** The direct pg query of the same iteration, for comparison with `source`. */
  readonly direct: number;
  /** source.execute minus direct of the same iteration. */
  readonly sourceMinusDirect: number;
  /** Source done → response finished: tableToRows, GraphQL completion, JSON serialization, write. */
  readonly sourceToResponse: number;
  /** Response finished → the body read and parsed by the client. */
  readonly responseToClient: number;
  /** Whole request as the client saw it. */
  readonly total: number;
}

interface Marks {
  request?: number;
  sourceStart?: number;
  sourceEnd?: number;
  finish?: number;
}

/**
 * Times the segments of real gateway requests (real source, real HTTP) by listening to the
 * HTTP server's events and wrapping the source's `execute` for the duration of the trace.
 * Each request is paired with the direct query, in alternating order like the timed runs.
 * Stops after `iterations` or once `budgetMs` has passed (at least 5 iterations).
 */
export async function traceRequests(
  bench: BenchGateway,
  body: string,
  direct: () => Promise<unknown>,
  options: { readonly iterations: number; readonly budgetMs: number },
): Promise<RequestTrace> {
  let marks: Marks = {};
  const onRequest = (_req: IncomingMessage, res: ServerResponse) => {
    marks.request = performance.now();
    res.once('finish', () => (marks.finish = performance.now()));
  };
  const sources = [...bench.gateway.sources.values()];
  const originals = sources.map((s) => ({ execute: s.execute, own: Object.hasOwn(s, 'execute') }));
  sources.forEach((source, i) => {
    const original = originals[i]!.execute;
    (source as { execute: Source['execute'] }).execute = async (query, opts) => {
      marks.sourceStart ??= performance.now();
      try {
        return await original.call(source, query, opts);
      } finally {
        marks.sourceEnd = performance.now();
      }
    };
  });
  bench.server.server.prependListener('request', onRequest);
  const segments: Record<Exclude<keyof RequestTrace, 'requests'>, number[]> = {
    clientToServer: [], serverToSource: [], source: [], direct: [], sourceMinusDirect: [], sourceToResponse: [], responseToClient: [], total: [],
  };
  try {
    const started = performance.now();
    for (let i = 0; i < options.iterations && (i < 5 || performance.now() - started < options.budgetMs); i++) {
      let directMs = 0;
      const runDirect = async () => {
        const t = performance.now();
        await direct();
        directMs = performance.now() - t;
      };
      if (i % 2 === 1) await runDirect();
      marks = {};
      const sent = performance.now();
      dataOrThrow(await bench.post(body), 'traceRequests');
      const received = performance.now();
      if (i % 2 === 0) await runDirect();
      const m = marks as Required<Marks>;
      if (m.request === undefined || m.sourceStart === undefined || m.finish === undefined) {
        throw new Error('traceRequests: a request was not seen by the server or did not reach the source');
      }
      segments.clientToServer.push(m.request - sent);
      segments.serverToSource.push(m.sourceStart - m.request);
      segments.source.push(m.sourceEnd - m.sourceStart);
      segments.direct.push(directMs);
      segments.sourceMinusDirect.push(m.sourceEnd - m.sourceStart - directMs);
      segments.sourceToResponse.push(m.finish - m.sourceEnd);
      segments.responseToClient.push(received - m.finish);
      segments.total.push(received - sent);
    }
  } finally {
    bench.server.server.removeListener('request', onRequest);
    sources.forEach((source, i) => {
      const { execute, own } = originals[i]!;
      if (own) (source as { execute: Source['execute'] }).execute = execute;
      else delete (source as { execute?: Source['execute'] }).execute;
    });
  }
  const median = (xs: number[]) => summarize(xs).p50;
  return {
    requests: segments.total.length,
    clientToServer: median(segments.clientToServer),
    serverToSource: median(segments.serverToSource),
    source: median(segments.source),
    direct: median(segments.direct),
    sourceMinusDirect: median(segments.sourceMinusDirect),
    sourceToResponse: median(segments.sourceToResponse),
    responseToClient: median(segments.responseToClient),
    total: median(segments.total),
  };
}
