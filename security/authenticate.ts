import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ConfigError, ConfigErrors } from '../errors/index.ts';
import type { AuthConfig, Config } from '../schema/index.ts';
import type { Access } from './Access.ts';

/** Verifies an `Authorization` header (or the graphql-ws init payload's) into an Access. */
export type Authenticator = (authorization: string | undefined) => Promise<Access>;

/**
 * Why a caller was turned away. `message` is safe to show: it names the class of problem
 * (expired, bad signature...) and never echoes the token. `forbidden` marks a valid token
 * whose role the gateway does not know (graphql-ws closes 4403 rather than 4401).
 */
export class AuthFailure extends Error {
  constructor(
    message: string,
    readonly forbidden = false,
  ) {
    super(message);
    this.name = 'AuthFailure';
  }
}

const HMAC = ['HS256', 'HS384', 'HS512'];
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/**
 * Builds the verifier of a config's `auth`. Each key source accepts only its own family
 * of algorithms, so `alg: none` and HS/RS confusion (an HS256 token "signed" with the
 * public RSA key) fail before any signature check. A local JWKS file is read once here.
 */
export async function createAuthenticator(config: Config): Promise<Authenticator | null> {
  const auth = config.auth;
  if (!auth) return null;
  const { key, algorithms } = await verificationKey(auth);
  const verifyOptions = {
    algorithms,
    issuer: auth.jwt.issuer ?? undefined,
    audience: auth.jwt.audience ?? undefined,
    clockTolerance: auth.jwt.clockToleranceSec,
    // A token that never expires is a credential that can never be taken back.
    requiredClaims: ['exp'],
  };
  const anonymous = auth.anonymous === null ? null : config.roles[auth.anonymous]!;
  return async (authorization) => {
    if (authorization === undefined || authorization.trim() === '') {
      if (anonymous) return Object.freeze({ role: anonymous, claims: Object.freeze({}), expiresAt: null });
      throw new AuthFailure('authentication required: send Authorization: Bearer <token>');
    }
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (!token) throw new AuthFailure('malformed Authorization header: expected "Bearer <token>"');
    let claims: Record<string, unknown>;
    try {
      claims = (await jwtVerify(token, key as JWTVerifyGetKey, verifyOptions)).payload;
    } catch (error) {
      throw new AuthFailure(describe(error));
    }
    const roleName = claims[auth.roleClaim];
    if (typeof roleName !== 'string') throw new AuthFailure(`the token has no "${auth.roleClaim}" claim naming a role`, true);
    const role = Object.hasOwn(config.roles, roleName) ? config.roles[roleName] : undefined;
    if (!role) throw new AuthFailure(`the token's role is not a role of this gateway`, true);
    const expiresAt = typeof claims.exp === 'number' ? (claims.exp + auth.jwt.clockToleranceSec) * 1000 : null;
    return Object.freeze({ role, claims: Object.freeze(claims), expiresAt });
  };
}

async function verificationKey(auth: AuthConfig): Promise<{ key: Uint8Array | JWTVerifyGetKey; algorithms: string[] }> {
  if (auth.jwt.secret !== null) return { key: new TextEncoder().encode(auth.jwt.secret), algorithms: HMAC };
  const jwks = auth.jwt.jwks!;
  if (/^https?:\/\//i.test(jwks)) {
    // Keys are fetched on first use and refetched when a token names an unknown kid.
    return { key: createRemoteJWKSet(new URL(jwks), { timeoutDuration: 5_000, cooldownDuration: 30_000 }), algorithms: ASYMMETRIC };
  }
  try {
    return { key: createLocalJWKSet(JSON.parse(await readFile(jwks, 'utf8'))), algorithms: ASYMMETRIC };
  } catch (error) {
    throw new ConfigErrors([new ConfigError('auth.jwt.jwks', `cannot read a JWKS ({ "keys": [...] }) from ${jwks}: ${(error as Error).message}`)]);
  }
}

/** The client-facing reason for a failed verification, by jose's stable error codes. */
function describe(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'the token has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (error as InstanceType<typeof joseErrors.JWTClaimValidationFailed>).claim;
      if (claim === 'exp') return 'the token has no expiry (exp claim)';
      return claim === 'nbf' || claim === 'iat' ? 'the token is not valid yet' : `the token's "${claim}" claim is not accepted`;
    }
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return "the token's signing algorithm is not accepted";
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'the token signature does not verify';
    case 'ERR_JWKS_TIMEOUT':
      return 'the signing keys could not be fetched; try again';
    default:
      // jose's own codes mean the token; anything else came from fetching the remote JWKS.
      return code?.startsWith('ERR_J') ? 'the token is malformed' : 'the signing keys could not be fetched; try again';
  }
}
