/**
 * Single-connection SSE reservations (PUT) that no stream opens are bounded: at most
 * `maxReservations` wait at once (the next PUT gets 429 LIMIT_EXCEEDED), each for at most
 * `reservationTtlMs`, after which its token is gone (a GET with it finds nothing) and the
 * slot is free again. Operations posted to an expired reservation find no stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer, type Gateway, type RunningServer } from '../server/index.ts';
import { waitFor } from './support/waitFor.ts';

let gateway: Gateway;
let server: RunningServer;

beforeAll(async () => {
  gateway = await createGateway(
    parseConfig(`
sources: { files: { kind: duckdb } }
datasets:
  numbers: { source: files, sql: "select 1 as n", dimensions: { n: { type: number } } }
`),
    { check: false },
  );
  server = await startServer(gateway, { port: 0, host: '127.0.0.1', sseReservations: { maxReservations: 5, reservationTtlMs: 500 } });
});

afterAll(async () => {
  await server?.close();
  await gateway?.close();
});

const reserve = () => fetch(server.url, { method: 'PUT', headers: { accept: 'text/plain' } });
const open = (token: string) => fetch(`${server.url}?token=${token}`, { headers: { accept: 'text/event-stream' }, signal: AbortSignal.timeout(5_000) });

describe('single-connection SSE reservations', () => {
  it('refuses a reservation past the bound with 429 LIMIT_EXCEEDED, and frees slots as reservations expire', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await reserve();
      expect(response.status).toBe(201);
      tokens.push(await response.text());
    }
    const refused = await reserve();
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('LIMIT_EXCEEDED');

    // The unconnected reservations expire: their tokens are gone and the bound has room again.
    await waitFor('a reservation slot freed by expiry', async () => (await reserve()).status === 201, 5_000);
    const stale = await open(tokens[0]!);
    expect([400, 404]).toContain(stale.status); // graphql-sse: no such stream
    await stale.body?.cancel();
  });

  it('keeps a reservation whose stream was opened in time', async () => {
    const connectedToken: string = await waitFor('a reservation', async () => {
      const response = await reserve();
      return response.status === 201 ? response.text() : '';
    }, 5_000);
    const other = await (await reserve()).text();
    const stream = await open(connectedToken);
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    // Once the unconnected reservation made with it has expired, the connected one is still open.
    await waitFor('the unconnected reservation to expire', async () => {
      const response = await open(other);
      await response.body?.cancel();
      return response.status === 400 || response.status === 404;
    }, 5_000);
    const ended = await Promise.race([reader.read().then((r) => r.done), new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 200))]);
    expect(ended).not.toBe(true);
    await reader.cancel();
  });
});
