/**
 * Authentication on every transport: each class of bad token is turned away with no data
 * over HTTP (401, UNAUTHENTICATED), SSE (the same 401, no event) and graphql-ws (the
 * socket closes 4401, or 4403 for a valid token whose role the gateway does not know),
 * on a gateway verifying HS256 with a secret and on one verifying RS256 against a JWKS
 * file made at test start. A valid token works on all three; `anonymous: <role>` gives
 * that role to requests without a token, never to requests with a bad one.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postAs, sseQueryAs, subscribeSseAs, subscribeWsAs, wsSession, authorizationOf, type Credentials } from './support/authClients.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import type { StreamRecording } from './support/streamClients.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';
import { base64url, hsToken, rsaKeys, TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET, unsignedToken, type RsaKeys } from './support/tokens.ts';
import { waitFor } from './support/waitFor.ts';

const SCHEMA = `tributary_auth_tokens_${process.pid}`;
const pgAdmin = await connectTestPostgres();

const CONFIG = (auth: string, server = '') => `
server: { ${server} }
auth: ${auth}
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
datasets:
  orders:
    source: warehouse
    table: ${SCHEMA}.orders
    dimensions:
      region: { type: string }
      channel: { type: string }
    measures:
      revenue: { sum: amount }
      orders: { count: "*" }
streams:
  live:
    kafka: { brokers: "", topic: demo }
    timestamp: ts
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
    grace: 1s
roles:
  admin: "*"
  viewer:
    orders: { rows: { region: { eq: "North" } }, members: [region, revenue] }
`;
const CHECKS = `issuer: "${TEST_ISSUER}", audience: ${TEST_AUDIENCE}, clockTolerance: 30s`;

const QUERY = '{ orders { rows { region revenue } } }';
const SUBSCRIPTION = 'subscription { live(window: { tumble: "1s" }, emit: CHANGES, throttle: "50ms") { start end final rows { region revenue orders } } }';
const ALL_REGIONS = [{ region: 'East', revenue: 30 }, { region: 'North', revenue: 10 }, { region: 'South', revenue: 20 }];

describe.skipIf(!pgAdmin)('authentication: bad tokens are refused with no data on HTTP, SSE and graphql-ws', () => {
  let hs: TestGateway;
  let rs: TestGateway;
  let anonymous: TestGateway;
  let keys: RsaKeys;
  let otherKeys: RsaKeys;
  const open: StreamRecording[] = [];

  beforeAll(async () => {
    await pgAdmin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA};
      create table ${SCHEMA}.orders as select * from (values ('North', 'web', 10.0), ('South', 'web', 20.0), ('East', 'store', 30.0)) v(region, channel, amount)`);
    keys = await rsaKeys('key-a');
    otherKeys = await rsaKeys('key-a'); // same kid, different key
    hs = await startTestGateway(CONFIG(`{ jwt: { secret: "${TEST_SECRET}", ${CHECKS} }, anonymous: deny }`));
    // GraphiQL off: a GET that looks like a browser's is not exempt from anything.
    rs = await startTestGateway(CONFIG(`{ jwt: { jwks: ${JSON.stringify(keys.jwksFile)}, ${CHECKS} } }`, 'graphiql: false'));
    anonymous = await startTestGateway(CONFIG(`{ jwt: { secret: "${TEST_SECRET}", ${CHECKS} }, anonymous: viewer }`));
  });

  afterAll(async () => {
    await Promise.all(open.map((r) => r.close()));
    await Promise.all([hs?.close(), rs?.close(), anonymous?.close()]);
    await Promise.all([keys?.remove(), otherKeys?.remove()]);
    await pgAdmin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await pgAdmin?.end();
  });

  /** The request is refused on all three transports, with no data and without echoing the token. */
  async function expectRefused(gw: TestGateway, credentials: Credentials, label: string, wsCode = 4401): Promise<void> {
    const token = authorizationOf(credentials)?.replace(/^\S+\s*/, '') ?? '';
    const echoes = (text: string) => token.length > 8 && text.includes(token);

    const http = await postAs(gw.server.url, credentials, QUERY);
    expect(http.status, `${label}: HTTP status; ${http.text}`).toBe(401);
    expect(http.body?.errors?.[0]?.extensions?.code, `${label}: HTTP ${http.text}`).toBe('UNAUTHENTICATED');
    expect(http.body && 'data' in http.body, `${label}: HTTP body has data`).toBe(false);
    expect(echoes(http.text), `${label}: the error echoes the token`).toBe(false);

    for (const query of [QUERY, SUBSCRIPTION]) {
      const sse = await sseQueryAs(gw.server.url, credentials, query);
      expect(sse.status, `${label}: SSE status; ${sse.text}`).toBe(401);
      expect(sse.next, `${label}: SSE events`).toEqual([]);
      expect(sse.text, `${label}: SSE body`).toContain('UNAUTHENTICATED');
      expect(sse.text).not.toContain('"data"');
    }

    // SSE by GET (as EventSource sends it).
    const authorization = authorizationOf(credentials);
    const get = await fetch(`${gw.server.url}?query=${encodeURIComponent(SUBSCRIPTION)}`, {
      headers: { accept: 'text/event-stream', ...(authorization === undefined ? {} : { authorization }) },
      signal: AbortSignal.timeout(15_000),
    });
    const getText = await get.text();
    expect(get.status, `${label}: SSE GET ${getText}`).toBe(401);
    expect(getText).not.toContain('event: next');

    const ws = await wsSession(gw.server.url, authorization === undefined ? undefined : { authorization }, SUBSCRIPTION);
    expect(ws.code, `${label}: graphql-ws close code (${ws.reason}); messages ${JSON.stringify(ws.messages)}`).toBe(wsCode);
    expect(ws.messages.map((m) => m.type), `${label}: graphql-ws messages`).toEqual([]);
    expect(echoes(ws.reason), `${label}: the close reason echoes the token`).toBe(false);
  }

  /** The request is served on all three transports with the rows of `want`. */
  async function expectServed(gw: TestGateway, credentials: Credentials, want: unknown[], label: string): Promise<void> {
    const http = await postAs(gw.server.url, credentials, QUERY);
    expect(http.status, `${label}: ${http.text}`).toBe(200);
    expect(http.body?.errors, label).toBeUndefined();
    expect(http.body?.data.orders.rows, label).toEqual(want);

    const sse = await sseQueryAs(gw.server.url, credentials, QUERY);
    expect(sse.status, `${label}: SSE ${sse.text}`).toBe(200);
    expect(sse.contentType).toMatch(/^text\/event-stream/);
    expect(sse.next.map((n) => n.data?.orders.rows), `${label}: SSE`).toEqual([want]);

    const authorization = authorizationOf(credentials);
    const ws = await wsSession(gw.server.url, authorization === undefined ? undefined : { authorization }, QUERY);
    expect(ws.code, `${label}: graphql-ws ${JSON.stringify(ws.messages)}`).toBe(1000);
    expect(ws.messages.map((m) => m.type)).toEqual(['connection_ack', 'next', 'complete']);
    expect(ws.messages[1]!.payload.data.orders.rows, `${label}: graphql-ws`).toEqual(want);
  }

  it('a valid HS256 token and a valid RS256 token work on all three transports, subscriptions included', async () => {
    const admin = await hsToken({ role: 'admin' });
    await expectServed(hs, admin, ALL_REGIONS, 'HS256 admin');
    await expectServed(rs, await keys.sign({ role: 'admin' }), ALL_REGIONS, 'RS256 admin');
    await expectServed(hs, await hsToken({ role: 'viewer' }), [{ region: 'North', revenue: 10 }], 'HS256 viewer');
    // Inside the clock tolerance (30 s), expired and not-yet-valid tokens are still accepted.
    await expectServed(hs, await hsToken({ role: 'admin' }, { expiresIn: -10 }), ALL_REGIONS, 'expired 10 s ago');
    await expectServed(hs, await hsToken({ role: 'admin' }, { notBefore: 10 }), ALL_REGIONS, 'valid in 10 s');
    // A subscription (the demo generator feeds `live`) over graphql-ws and SSE.
    for (const [gw, token] of [[hs, admin], [rs, await keys.sign({ role: 'admin' })]] as const) {
      const ws = subscribeWsAs(gw.server.url, token, 'live', SUBSCRIPTION);
      const sse = subscribeSseAs(gw.server.url, token, 'live', SUBSCRIPTION);
      open.push(ws, sse);
      for (const r of [ws, sse]) await waitFor('a window version', () => r.versions.length > 0 || r.errors.length > 0, 15_000);
      expect(ws.errors).toEqual([]);
      expect(sse.errors).toEqual([]);
      await Promise.all([ws.close(), sse.close()]);
    }
  });

  it('missing and malformed Authorization headers are refused (anonymous: deny)', async () => {
    const valid = await hsToken({ role: 'admin' });
    const headers: [string, Credentials][] = [
      ['no header', undefined],
      ['Basic credentials', { header: 'Basic YWRtaW46YWRtaW4=' }],
      ['Basic x', { header: 'Basic x' }],
      ['"Bearer" without a token', { header: 'Bearer' }],
      ['"Bearer " with spaces', { header: 'Bearer    ' }],
      ['two parts', { header: 'Bearer a.b' }],
      ['three parts of garbage', { header: 'Bearer a.b.c' }],
      ['a token without the scheme', { header: valid }],
      ['two tokens', { header: `Bearer ${valid} ${valid}` }],
      ['a JSON payload that is not a JWS', { header: `Bearer ${base64url({ alg: 'HS256' })}.${base64url('not json')}.${base64url('sig')}` }],
    ];
    for (const [label, credentials] of headers) await expectRefused(hs, credentials, label);
    // graphql-ws: a subscribe before connection_init is refused the same way.
    const early = await wsSession(hs.server.url, { authorization: `Bearer ${valid}` }, SUBSCRIPTION, { subscribeFirst: true });
    expect(early.code).toBe(4401);
    expect(early.messages).toEqual([]);
  });

  it('bad signatures, expired and not-yet-valid tokens, alg none, wrong issuer or audience are refused', async () => {
    const claims = { role: 'admin', sub: 'mallory' };
    const valid = await hsToken(claims);
    const [header, , signature] = valid.split('.');
    const cases: [string, string][] = [
      ['signed with another secret', await hsToken(claims, { secret: 'another-secret-that-is-long-enough-000000' })],
      ['payload changed after signing', `${header}.${base64url({ ...claims, role: 'admin', iss: TEST_ISSUER, aud: TEST_AUDIENCE, exp: 9_999_999_999 })}.${signature}`],
      ['signature stripped', valid.replace(/[^.]+$/, '')],
      ['expired beyond the clock tolerance', await hsToken(claims, { expiresIn: -120 })],
      ['without an expiry (exp)', await hsToken(claims, { expiresIn: null })],
      ['not valid for two minutes', await hsToken(claims, { notBefore: 120 })],
      ['alg none', unsignedToken(claims)],
      ['alg None', unsignedToken(claims, { alg: 'None', typ: 'JWT' })],
      ['alg NONE', unsignedToken(claims, { alg: 'NONE' })],
      ['alg none with the valid signature', unsignedToken(claims).replace(/\.$/, `.${signature}`)],
      ['wrong issuer', await hsToken(claims, { issuer: 'https://evil.example/' })],
      ['no issuer', await hsToken(claims, { issuer: null })],
      ['wrong audience', await hsToken(claims, { audience: 'someone-else' })],
      ['no audience', await hsToken(claims, { audience: null })],
      ['HS512 with the right secret, expired', await hsToken(claims, { alg: 'HS512', expiresIn: -120 })],
      ['an RS256 token at the secret gateway', await keys.sign(claims)],
    ];
    for (const [label, token] of cases) await expectRefused(hs, token, label);
  });

  it('at the JWKS gateway: HS/RS confusion, other keys, unknown kid and alg none are refused', async () => {
    const claims = { role: 'admin' };
    const hmac = (secret: string, header: Record<string, unknown>) => {
      const payload = { ...claims, iss: TEST_ISSUER, aud: TEST_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 };
      const input = `${base64url(header)}.${base64url(payload)}`;
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    };
    const cases: [string, string][] = [
      ['HS256 with the public key PEM as the secret', await hsToken(claims, { secret: keys.publicPem, kid: keys.kid })],
      ['HS256 with the public JWK JSON as the secret', await hsToken(claims, { secret: JSON.stringify(keys.publicJwk), kid: keys.kid })],
      ['HS256 with the JWKS file bytes as the secret', await hsToken(claims, { secret: JSON.stringify({ keys: [keys.publicJwk] }) })],
      ['header says RS256, signature is an HMAC with the PEM', hmac(keys.publicPem, { alg: 'RS256', kid: keys.kid })],
      ['HS256 with the test secret', await hsToken(claims)],
      ['signed by another RSA key with the same kid', await otherKeys.sign(claims)],
      ['an unknown kid', await keys.sign(claims, { kid: 'no-such-key' })],
      ['expired', await keys.sign(claims, { expiresIn: -120 })],
      ['wrong audience', await keys.sign(claims, { audience: 'someone-else' })],
      ['alg none', unsignedToken(claims, { alg: 'none', kid: keys.kid })],
    ];
    for (const [label, token] of cases) await expectRefused(rs, token, `JWKS: ${label}`);
    // Its GET path with a browser-like Accept (GraphiQL is off here) gets no data either.
    const get = await fetch(`${rs.server.url}?query=${encodeURIComponent(QUERY)}`, { headers: { accept: 'text/html, application/graphql-response+json, application/json' } });
    const text = await get.text();
    expect(text).not.toContain('"revenue"');
    expect(get.status === 401 || !text.includes('"orders"'), `GET with accept text/html: ${get.status} ${text}`).toBe(true);
  });

  it('a valid token whose role the gateway does not know: 401 over HTTP and SSE, close 4403 over graphql-ws', async () => {
    const roles: [string, Record<string, unknown>][] = [
      ['unknown role', { role: 'superuser' }],
      ['role __proto__', { role: '__proto__' }],
      ['role toString', { role: 'toString' }],
      ['role constructor', { role: 'constructor' }],
      ['role as a list', { role: ['admin'] }],
      ['role as an object', { role: { name: 'admin' } }],
      ['no role claim', { sub: 'someone' }],
    ];
    for (const [label, claims] of roles) {
      await expectRefused(hs, await hsToken(claims), `HS: ${label}`, 4403);
      await expectRefused(rs, await keys.sign(claims), `RS: ${label}`, 4403);
    }
  });

  it('anonymous: viewer gives requests without a token the viewer role, and still refuses bad tokens', async () => {
    await expectServed(anonymous, undefined, [{ region: 'North', revenue: 10 }], 'no token');
    await expectServed(anonymous, { header: '' }, [{ region: 'North', revenue: 10 }], 'an empty header');
    await expectServed(anonymous, await hsToken({ role: 'admin' }), ALL_REGIONS, 'an admin token');
    // The anonymous role's schema: a hidden measure does not validate.
    const hidden = await postAs(anonymous.server.url, undefined, '{ orders { rows { region orders } } }');
    expect(hidden.body?.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(hidden.body?.data).toBeUndefined();
    // A bad token is not downgraded to anonymous.
    await expectRefused(anonymous, await hsToken({ role: 'admin' }, { secret: 'another-secret-that-is-long-enough-000000' }), 'anonymous gateway: bad signature');
    await expectRefused(anonymous, await hsToken({ role: 'admin' }, { expiresIn: -120 }), 'anonymous gateway: expired');
    await expectRefused(anonymous, { header: 'Basic x' }, 'anonymous gateway: Basic');
    await expectRefused(anonymous, await hsToken({ role: 'nobody' }), 'anonymous gateway: unknown role', 4403);
  });

  it('every URL Yoga serves GraphQL on is authenticated like /graphql; other paths never serve data', async () => {
    // Yoga runs GraphQL for any URL ending in /graphql or /graphql/, not only the path /graphql.
    const admin = await hsToken({ role: 'admin' });
    const post = (path: string, authorization?: string) =>
      fetch(hs.server.url.replace(/\/graphql$/, path), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ query: QUERY }),
      }).then(async (r) => ({ status: r.status, text: await r.text() }));
    for (const path of ['/graphql/', '//graphql', '/graphql?x=1', '/x?y=/graphql', '/anything/graphql']) {
      const anonymousAnswer = await post(path);
      expect(anonymousAnswer.status, `${path} without a token: ${anonymousAnswer.text}`).toBe(401);
      expect(JSON.parse(anonymousAnswer.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
      const bad = await post(path, 'Bearer a.b.c');
      expect(bad.status, `${path} with a bad token: ${bad.text}`).toBe(401);
      const served = await post(path, `Bearer ${admin}`);
      expect(served.status, `${path} with a valid token: ${served.text}`).toBe(200);
      expect(JSON.parse(served.text).data.orders.rows, path).toEqual(ALL_REGIONS);
    }
    expect((await fetch(hs.server.url.replace(/\/graphql$/, '/healthz'))).status, 'the health check needs no token').toBe(200);
    for (const path of ['/GRAPHQL', '/graphql;x', '/%67raphql', '/graphql/x']) {
      const answer = await post(path);
      expect(answer.text, `${path}: ${answer.status}`).not.toContain('"revenue"');
      expect([401, 404], `${path}: ${answer.status} ${answer.text}`).toContain(answer.status);
    }
  });
});
