import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execute, parse, validate, type DocumentNode } from 'graphql';
import type pg from 'pg';
import { buildPlan, compileSql, type CompiledQuery, type DatasetRequest } from '../planner/index.ts';
import { tableToRows } from '../resolvers/index.ts';
import { gatewaySchemas, startServer, type DatasetAnswer, type Gateway } from '../server/index.ts';
import { rowsToArrow } from '../sources/index.ts';
import { dataOrThrow, postGraphQL } from './benchGateway.ts';
import { medianMs } from './stats.ts';

/**
 * Median milliseconds of each piece of the gateway's own work for one query, each timed alone
 * in a hot loop with no source time. Hot loops run faster than the same code between real
 * database waits (caches stay warm), so these attribute the overhead rather than add up to it;
 * `traceRequests` measures the real segments.
 */
export interface ComponentProfile {
  /** Whole HTTP request against a second server whose source answers instantly with the real result. */
  readonly httpStubbed: number;
  /** node:http + fetch round trip returning the same response bytes, without Yoga or GraphQL. */
  readonly httpFloor: number;
  /** graphql-js parse + validate of the document, uncached. */
  readonly parseValidate: number;
  /** graphql-js execute with the stubbed source: collectSelection, resolvers, tableToRows, completion. */
  readonly execute: number;
  readonly tableToRows: number;
  /** JSON.stringify of the execution result (Yoga's part) plus JSON.parse of it (the client's). */
  readonly json: number;
  readonly planAndCompile: number;
  readonly rowsToArrow: number;
  readonly responseBytes: number;
}

/**
 * Times the stages of the gateway's fixed cost for `document` one by one, in process, with
 * the database out of the picture: the real answer is fetched once and then
 * replayed by a stub gateway. `compiled` is the query the planner produced for the document;
 * `client` fetches its raw rows once to time the Arrow conversion.
 */
export async function profileComponents(
  gateway: Gateway,
  document: string,
  body: string,
  compiled: CompiledQuery,
  client: pg.Client,
  iterations: number,
): Promise<ComponentProfile> {
  const parsed = parse(document);
  const captured = await captureAnswer(gateway, parsed);
  const stub: Gateway = { ...gateway, answer: async () => captured.answer };
  const dataset = gateway.config.datasets[captured.request.dataset]!;
  const rowsPlan = captured.answer.rows;
  if (!rowsPlan) throw new Error('profileComponents: the benchmark query must select rows');

  const contextValue = { gateway: stub };
  const result = await execute({ schema: gatewaySchemas(gateway).all, document: parsed, contextValue });
  dataOrThrow(result, 'profileComponents (stubbed execute)');
  const responseText = JSON.stringify(result);
  const raw = await client.query({ text: compiled.sql, values: compiled.params as unknown[], rowMode: 'array' });

  const stubServer = await startServer(stub, { port: 0, host: '127.0.0.1' });
  const floor = await startFixedResponseServer(responseText);
  try {
    return {
      httpStubbed: await medianMs(() => postGraphQL(stubServer.url, body), iterations),
      httpFloor: await medianMs(() => postGraphQL(floor.url, body), iterations),
      parseValidate: await medianMs(() => validate(gatewaySchemas(gateway).all, parse(document)), iterations),
      execute: await medianMs(() => execute({ schema: gatewaySchemas(gateway).all, document: parsed, contextValue }), iterations),
      tableToRows: await medianMs(() => tableToRows(rowsPlan.table, rowsPlan.plan, dataset), iterations),
      json: await medianMs(() => JSON.parse(JSON.stringify(result)), iterations),
      planAndCompile: await medianMs(() => {
        const plans = buildPlan(dataset, captured.request, gateway.config.server);
        for (const plan of [plans.rows, plans.totals]) if (plan) compileSql(plan, dataset);
      }, iterations),
      rowsToArrow: await medianMs(() => rowsToArrow(compiled.columns, raw.rows), iterations),
      responseBytes: Buffer.byteLength(responseText),
    };
  } finally {
    await stubServer.close();
    await floor.close();
  }
}

/** Runs the document once for real and keeps the planner request and the source's answer. */
async function captureAnswer(gateway: Gateway, document: DocumentNode): Promise<{ request: DatasetRequest; answer: DatasetAnswer }> {
  let captured: { request: DatasetRequest; answer: DatasetAnswer } | undefined;
  const recorder: Gateway = {
    ...gateway,
    answer: async (request, options) => {
      const answer = await gateway.answer(request, options);
      captured = { request, answer };
      return answer;
    },
  };
  const result = await execute({ schema: gatewaySchemas(gateway).all, document, contextValue: { gateway: recorder } });
  dataOrThrow(result, 'profileComponents (capture)');
  if (!captured) throw new Error('profileComponents: the document queried no dataset');
  return captured;
}

/** A bare HTTP server that reads the request body and answers with fixed JSON bytes. */
async function startFixedResponseServer(text: string): Promise<{ url: string; close(): Promise<void> }> {
  const bytes = Buffer.from(text);
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/graphql-response+json; charset=utf-8', 'content-length': bytes.length });
      res.end(bytes);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
