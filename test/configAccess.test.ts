/**
 * Access-control config: every mistake in auth, roles, grants and row policies is
 * reported with the path and the fix, before anything connects.
 */
import { describe, expect, it } from 'vitest';
import { ConfigErrors } from '../errors/index.ts';
import { parseConfig } from '../schema/index.ts';
import { checkRowPolicies } from '../security/index.ts';

const SECRET = 'a-secret-that-is-at-least-32-bytes-long';
const BASE = `sources:
  wh: { kind: postgres, url: "postgres://u@h/db" }
  files: { kind: duckdb }
datasets:
  sales:
    source: wh
    table: t
    dimensions: { region: { type: string }, quantity: { type: number }, day: { type: time } }
    measures: { revenue: { sum: amount } }
  targets:
    source: wh
    table: targets
    dimensions: { region: { type: string } }
    measures: { target: { sum: target } }
fusions:
  salesVsTargets:
    keys: { region: string }
    members: { sales: { region: region }, targets: { region: region } }
`;
const AUTH = `auth: { jwt: { secret: "${SECRET}" } }\n`;

function errorLines(yaml: string): string[] {
  try {
    parseConfig(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigErrors);
    return (error as ConfigErrors).errors.map((e) => e.message);
  }
  throw new Error('expected ConfigErrors, but the config was accepted');
}

describe('invalid access-control configs', () => {
  it.each<[string, string, string]>([
    ['roles without auth', `roles: { admin: "*" }\n${BASE}`, 'roles: roles need auth: add auth.jwt with a secret or a jwks (docs/DESIGN.md, "Access control")'],
    ['neither secret nor jwks', `auth: { jwt: { issuer: x } }\n${BASE}`, 'auth.jwt: expected exactly one of secret: or jwks:'],
    ['both secret and jwks', `auth: { jwt: { secret: "${SECRET}", jwks: ./k.json } }\n${BASE}`, 'auth.jwt: expected exactly one of secret: or jwks:'],
    ['a short HS secret', `auth: { jwt: { secret: short } }\n${BASE}`, 'auth.jwt.secret: expected at least 32 bytes for HS256, got 5; use a long random secret'],
    ['an anonymous role that does not exist', `auth: { jwt: { secret: "${SECRET}" }, anonymous: guest }\nroles: { admin: "*" }\n${BASE}`, 'auth.anonymous: expected deny or a role name; "guest" is not in roles (admin)'],
    ['a grant of an unknown dataset', `${AUTH}roles: { r: { slaes: {} } }\n${BASE}`, 'roles.r.slaes: unknown dataset, fusion or stream "slaes"; known: sales, targets, salesVsTargets'],
    ['an unknown member', `${AUTH}roles: { r: { sales: { members: [region, revenu] } } }\n${BASE}`, 'roles.r.sales.members.1: "revenu" is not a dimension or measure of sales; it has region, quantity, day, revenue'],
    ['a fusion whose member is not granted', `${AUTH}roles: { r: { salesVsTargets: {}, sales: {} } }\n${BASE}`, 'roles.r.salesVsTargets: fusion member "targets" is not granted to role r; grant it (its rows policy applies to the fusion) or remove the fusion'],
    ['rows on a fusion', `${AUTH}roles: { r: { salesVsTargets: { rows: { region: { eq: x } } }, sales: {}, targets: {} } }\n${BASE}`, "roles.r.salesVsTargets.rows: a fusion's rows come from its members' grants; set rows on each member (dataset or stream) instead"],
    ['a role that is neither "*" nor a map', `${AUTH}roles: { r: everything }\n${BASE}`, 'roles.r: expected "*" (everything) or a map of dataset, fusion and stream names to { rows, members }, got "everything"'],
    ['an empty members list', `${AUTH}roles: { r: { sales: { members: [] } } }\n${BASE}`, 'roles.r.sales.members: expected at least one dimension or measure; to hide the whole dataset, leave it out of the role'],
    ['an unknown key in a grant', `${AUTH}roles: { r: { sales: { row: {} } } }\n${BASE}`, 'roles.r.sales: unknown key "row"; remove it or fix its spelling (docs/DESIGN.md lists the keys)'],
  ])('%s', (_, yaml, line) => {
    expect(errorLines(yaml)).toContain(line);
  });
});

describe('row policies are checked against the where grammar (checkRowPolicies)', () => {
  const withPolicy = (rows: string) => parseConfig(`${AUTH}roles: { r: { sales: { rows: ${rows} } } }\n${BASE}`);
  it.each<[string, string, string | null]>([
    ['a list claim for in', '{ region: { in: "$claims.regions" } }', null],
    ['claims inside a list, and nesting', '{ OR: [{ region: { in: ["$claims.home", "Global"] } }, { NOT: { quantity: { gt: "$claims.max" } } }] }', null],
    ['a time policy', '{ day: { gte: "$claims.since" } }', null],
    ['an unknown field', '{ regoin: { eq: "$claims.region" } }', 'roles.r.sales.rows.regoin: unknown field "regoin" (rows use the where grammar of sales)'],
    ['an unknown operator', '{ region: { equals: "$claims.region" } }', 'roles.r.sales.rows.region.equals: unknown operator "equals" (rows use the where grammar of sales)'],
    ['a literal of the wrong type', '{ quantity: { gt: "many" } }', 'roles.r.sales.rows.quantity.gt: expected a finite number, got "many" (rows use the where grammar of sales)'],
  ])('%s', (_, rows, line) => {
    const problems = checkRowPolicies(withPolicy(rows)).map((e) => e.message);
    expect(problems).toEqual(line === null ? [] : [line]);
  });
});
