/**
 * `auth.jwt.jwks` as a URL: keys are fetched from a real HTTP server on loopback (once,
 * then cached; jose refetches on an unknown kid at most every 30 s), a kid the server
 * does not serve is refused, and an unreachable key server refuses tokens with 401 rather
 * than hanging or failing the process.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer, type Gateway, type RunningServer } from '../server/index.ts';
import { postAs } from './support/authClients.ts';
import { rsaKeys, TEST_AUDIENCE, TEST_ISSUER, type RsaKeys } from './support/tokens.ts';

let first: RsaKeys;
let second: RsaKeys;
const served: object[] = [];
let fetches = 0;
let keyServer: Server;
let gateway: Gateway;
let server: RunningServer;

beforeAll(async () => {
  [first, second] = await Promise.all([rsaKeys('first'), rsaKeys('second')]);
  served.push(first.publicJwk);
  keyServer = createServer((req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: served }));
  });
  await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  const config = parseConfig(`
auth: { jwt: { jwks: "${url}", issuer: "${TEST_ISSUER}", audience: ${TEST_AUDIENCE} } }
roles: { admin: "*" }
sources: { files: { kind: duckdb } }
datasets:
  numbers: { source: files, sql: "select 1 as n", dimensions: { n: { type: number } } }
`);
  gateway = await createGateway(config, { check: false });
  server = await startServer(gateway, { port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server?.close();
  await gateway?.close();
  await new Promise<void>((resolve) => keyServer?.close(() => resolve()));
  await Promise.all([first?.remove(), second?.remove()]);
});

const QUERY = '{ numbers { rows { n } } }';

describe('auth.jwt.jwks as a URL', () => {
  it('verifies tokens against keys fetched over HTTP, and fetches them once', async () => {
    for (let i = 0; i < 3; i++) {
      const { status, body } = await postAs(server.url, await first.sign({ role: 'admin' }), QUERY);
      expect(status).toBe(200);
      expect(body?.data?.numbers.rows).toEqual([{ n: 1 }]);
    }
    expect(fetches).toBe(1);
  });

  it('refuses a token whose kid the key server does not serve', async () => {
    const { status, body } = await postAs(server.url, await second.sign({ role: 'admin' }), QUERY);
    expect(status).toBe(401);
    expect(body?.errors?.[0]).toMatchObject({ message: 'the token signature does not verify', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses with 401, without hanging, when the key server is gone', async () => {
    await new Promise<void>((resolve) => {
      keyServer.close(() => resolve());
      keyServer.closeAllConnections();
    });
    const third = await rsaKeys('third'); // an unknown kid forces a fetch, which fails
    try {
      const started = Date.now();
      const { status, body } = await postAs(server.url, await third.sign({ role: 'admin' }), QUERY);
      expect(status).toBe(401);
      expect(body?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(body?.data).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(6_000); // the JWKS fetch has a 5 s deadline
      // Tokens of the key already held keep working.
      expect((await postAs(server.url, await first.sign({ role: 'admin' }), QUERY)).status).toBe(200);
    } finally {
      await third.remove();
    }
  });
});
