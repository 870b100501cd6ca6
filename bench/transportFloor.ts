import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKeepAliveClient } from './keepAliveClient.ts';
import { runInterleaved } from './runInterleaved.ts';
import { summarize, type Summary } from './stats.ts';

/**
 * What any HTTP server pays on this machine for one query: a bare node:http server (no Yoga,
 * no GraphQL, no planning) whose handler runs the same hand-written statement on the same
 * backend and answers with the gateway's response bytes, timed against the statement alone.
 * On these 2-core machines a loopback round trip after a ~20 ms wait costs ~1 ms, ten times
 * what it costs back to back, so this floor decides how close to 1.0x a short query can get.
 */
export interface TransportFloor {
  readonly bareHttp: Summary;
  readonly direct: Summary;
  readonly paired: Summary;
}

export async function measureTransportFloor(
  runDirect: () => Promise<{ rows: unknown[] }>,
  responseBytes: Buffer,
  requestBody: Buffer,
  iterations: number,
  warmup: number,
): Promise<TransportFloor> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      runDirect().then(
        () => {
          res.writeHead(200, { 'content-type': 'application/graphql-response+json; charset=utf-8', 'content-length': responseBytes.length });
          res.end(responseBytes);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const client = createKeepAliveClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 1);
  try {
    const timed = await runInterleaved(
      {
        name: 'bare node:http',
        run: async () => {
          const answer = await client.post('/graphql', requestBody);
          if (answer.status !== 200) throw new Error(`the bare HTTP server answered ${answer.status}`);
          JSON.parse(answer.body.toString('utf8'));
          return 1;
        },
      },
      { name: 'direct pg', run: async () => ((await runDirect()).rows.length >= 0 ? 1 : 0) },
      { iterations, warmup },
    );
    return {
      bareHttp: summarize(timed.samples[0]),
      direct: summarize(timed.samples[1]),
      paired: summarize(timed.samples[0].map((ms, i) => ms - timed.samples[1][i]!)),
    };
  } finally {
    client.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
