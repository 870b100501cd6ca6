import path from 'node:path';
import { ConfigError } from '../errors/index.ts';
import type { AuthConfig, DatasetConfig, FusionConfig, Grant, RoleConfig, StreamConfig, StreamFusionConfig } from './Config.ts';
import type { RawConfig } from './configSchema.ts';
import { parseDuration } from './parseDuration.ts';

/** RFC 7518 §3.2: an HMAC key must be at least as long as the hash; 32 bytes for HS256. */
const MIN_SECRET_BYTES = 32;

/** `auth:` as validated data. Relative JWKS files resolve against the config's folder. */
export function buildAuth(raw: RawConfig['auth'], roles: RawConfig['roles'], baseDir: string, errors: ConfigError[]): AuthConfig | null {
  if (!raw) {
    if (Object.keys(roles).length > 0) errors.push(new ConfigError('roles', 'roles need auth: add auth.jwt with a secret or a jwks (docs/DESIGN.md, "Access control")'));
    return null;
  }
  const { secret, jwks } = raw.jwt;
  if (secret !== undefined && Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    errors.push(new ConfigError('auth.jwt.secret', `expected at least ${MIN_SECRET_BYTES} bytes for HS256, got ${Buffer.byteLength(secret)}; use a long random secret`));
  }
  if (raw.anonymous !== 'deny' && !roles[raw.anonymous]) {
    errors.push(new ConfigError('auth.anonymous', `expected deny or a role name; "${raw.anonymous}" is not in roles (${Object.keys(roles).join(', ') || 'none defined'})`));
  }
  return Object.freeze({
    jwt: Object.freeze({
      secret: secret ?? null,
      jwks: jwks === undefined ? null : /^https?:\/\//i.test(jwks) ? jwks : path.resolve(baseDir, jwks),
      issuer: raw.jwt.issuer ?? null,
      audience: raw.jwt.audience ?? null,
      clockToleranceSec: (parseDuration(raw.jwt.clockTolerance) ?? 30_000) / 1000,
    }),
    roleClaim: raw.roleClaim,
    anonymous: raw.anonymous === 'deny' ? null : raw.anonymous,
  });
}

interface Grantable {
  readonly datasets: Readonly<Record<string, DatasetConfig>>;
  readonly fusions: Readonly<Record<string, FusionConfig>>;
  readonly streams: Readonly<Record<string, StreamConfig>>;
  readonly streamFusions: Readonly<Record<string, StreamFusionConfig>>;
}

/**
 * `roles:` as validated data: every grant names a dataset, fusion or stream, every member
 * exists there, and a fusion's members are granted too (their row policies apply to it).
 * The rows grammar itself is checked against each dataset when the gateway starts.
 */
export function buildRoles(raw: RawConfig['roles'], served: Grantable, errors: ConfigError[]): Record<string, RoleConfig> {
  const roles: Record<string, RoleConfig> = {};
  for (const [name, spec] of Object.entries(raw)) {
    if (spec === '*') {
      roles[name] = Object.freeze({ name, all: true, grants: Object.freeze({}) });
      continue;
    }
    const grants: Record<string, Grant> = {};
    for (const [target, grant] of Object.entries(spec)) {
      const at = `roles.${name}.${target}`;
      const view = served.datasets[target] ?? served.fusions[target]?.view ?? served.streams[target]?.view ?? served.streamFusions[target]?.view;
      if (!view) {
        const known = [...Object.keys(served.datasets), ...Object.keys(served.fusions), ...Object.keys(served.streams), ...Object.keys(served.streamFusions)];
        errors.push(new ConfigError(at, `unknown dataset, fusion or stream "${target}"; known: ${known.join(', ') || 'none'}`));
        continue;
      }
      const members = grant?.members ?? null;
      if (members?.length === 0) errors.push(new ConfigError(`${at}.members`, 'expected at least one dimension or measure; to hide the whole dataset, leave it out of the role'));
      for (const [i, member] of (members ?? []).entries()) {
        if (!view.dimensions[member] && !view.measures[member]) {
          errors.push(new ConfigError(`${at}.members.${i}`, `"${member}" is not a dimension or measure of ${target}; it has ${[...Object.keys(view.dimensions), ...Object.keys(view.measures)].join(', ')}`));
        }
      }
      const fusion = served.fusions[target] ?? served.streamFusions[target];
      if (fusion && grant?.rows) {
        errors.push(new ConfigError(`${at}.rows`, "a fusion's rows come from its members' grants; set rows on each member (dataset or stream) instead"));
      }
      for (const member of Object.keys(fusion?.members ?? {})) {
        if (!(member in spec)) errors.push(new ConfigError(at, `fusion member "${member}" is not granted to role ${name}; grant it (its rows policy applies to the fusion) or remove the fusion`));
      }
      grants[target] = Object.freeze({ rows: grant?.rows ? Object.freeze({ ...grant.rows }) : null, members: members && Object.freeze([...members]) });
    }
    roles[name] = Object.freeze({ name, all: false, grants: Object.freeze(grants) });
  }
  return roles;
}
