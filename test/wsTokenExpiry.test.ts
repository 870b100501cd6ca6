/**
 * A graphql-ws connection is authenticated once, at connection_init; when its token
 * expires the gateway closes it with 4401, so a subscription never outlives the token
 * it was opened with. A token without expiry in range keeps its connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer, type Gateway, type RunningServer } from '../server/index.ts';
import { subscribeWsAs } from './support/authClients.ts';
import { hsToken, TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET } from './support/tokens.ts';
import { waitFor } from './support/waitFor.ts';

let gateway: Gateway;
let server: RunningServer;

beforeAll(async () => {
  gateway = await createGateway(
    parseConfig(`
auth: { jwt: { secret: "${TEST_SECRET}", issuer: "${TEST_ISSUER}", audience: ${TEST_AUDIENCE}, clockTolerance: 0s } }
roles: { admin: "*" }
sources: { files: { kind: duckdb } }
datasets:
  numbers: { source: files, sql: "select 1 as n", dimensions: { n: { type: number } } }
streams:
  live:
    kafka: { brokers: "", topic: demo }
    timestamp: ts
    dimensions: { region: { type: string } }
    measures: { orders: { count: "*" } }
`),
    { check: false },
  );
  server = await startServer(gateway, { port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server?.close();
  await gateway?.close();
});

const SUBSCRIPTION = 'subscription { live(window: { tumble: "1s" }) { start rows { region orders } } }';

describe('graphql-ws and token expiry', () => {
  it('closes the connection with 4401 when its token expires, after serving it until then', async () => {
    const token = await hsToken({ role: 'admin' }, { expiresIn: 3 });
    // The token's own exp (whole seconds from when it was signed): a second that turned between
    // signing and reading the clock here would put an estimate a second late.
    const expiresAt = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number }).exp * 1000;
    const subscription = subscribeWsAs(server.url, token, 'live', SUBSCRIPTION);
    try {
      await waitFor('a window before the token expires', () => subscription.versions.length > 0, 5_000);
      expect(Date.now()).toBeLessThan(expiresAt);
      await waitFor('the connection to close', () => subscription.closeCode() !== null, 10_000);
      expect(subscription.closeCode()).toBe(4401);
      expect(Date.now()).toBeGreaterThanOrEqual(expiresAt - 50);
    } finally {
      await subscription.close();
    }
  });

  it('keeps a connection whose token is still valid', async () => {
    const subscription = subscribeWsAs(server.url, await hsToken({ role: 'admin' }, { expiresIn: 3_600 }), 'live', SUBSCRIPTION);
    try {
      const seen = await waitFor('three windows', () => (subscription.versions.length >= 3 ? subscription.versions.length : 0), 10_000);
      expect(seen).toBeGreaterThanOrEqual(3);
      expect(subscription.closeCode()).toBeNull();
    } finally {
      await subscription.close();
    }
  });
});
