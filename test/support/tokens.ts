/**
 * Real signed JWTs for access-control suites (jose): HS256 with a shared secret, RS256
 * with a key pair made at test start whose public half is written as a JWKS file to a
 * temporary folder (keys are never committed), and hand-crafted bad tokens.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/** 44 bytes: above the 32 an HS256 secret must have. */
export const TEST_SECRET = 'tributary-access-control-test-secret-0123456';
export const TEST_ISSUER = 'https://issuer.tributary.test/';
export const TEST_AUDIENCE = 'tributary-tests';

export interface SignOptions {
  /** Seconds from now; negative is in the past. Default: one hour from now. */
  readonly expiresIn?: number | null;
  readonly notBefore?: number;
  readonly issuer?: string | null;
  readonly audience?: string | null;
  readonly kid?: string;
}

const now = () => Math.floor(Date.now() / 1000);

function build(claims: JWTPayload, alg: string, options: SignOptions): SignJWT {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', ...(options.kid ? { kid: options.kid } : {}) }).setIssuedAt();
  const iss = options.issuer === undefined ? TEST_ISSUER : options.issuer;
  const aud = options.audience === undefined ? TEST_AUDIENCE : options.audience;
  if (iss !== null) jwt.setIssuer(iss);
  if (aud !== null) jwt.setAudience(aud);
  if (options.expiresIn !== null) jwt.setExpirationTime(now() + (options.expiresIn ?? 3600));
  if (options.notBefore !== undefined) jwt.setNotBefore(now() + options.notBefore);
  return jwt;
}

/** An HS256 token signed with `secret` (bytes or text). */
export function hsToken(claims: JWTPayload, options: SignOptions & { secret?: string | Uint8Array; alg?: 'HS256' | 'HS384' | 'HS512' } = {}): Promise<string> {
  const secret = options.secret ?? TEST_SECRET;
  return build(claims, options.alg ?? 'HS256', options).sign(typeof secret === 'string' ? new TextEncoder().encode(secret) : secret);
}

export interface RsaKeys {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly publicPem: string;
  readonly kid: string;
  /** The JWKS file ({ keys: [publicJwk] }). */
  readonly jwksFile: string;
  sign(claims: JWTPayload, options?: SignOptions): Promise<string>;
  /** Removes the temporary folder. */
  remove(): Promise<void>;
}

/** A fresh RS256 key pair; its public JWK is written to a JWKS file in a new temp folder. */
export async function rsaKeys(kid = 'test-key-1'): Promise<RsaKeys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const dir = await mkdtemp(path.join(tmpdir(), 'tributary-jwks-'));
  const jwksFile = path.join(dir, 'keys.json');
  await writeFile(jwksFile, JSON.stringify({ keys: [publicJwk] }));
  return {
    privateKey,
    publicJwk,
    publicPem: await exportSPKI(publicKey),
    kid,
    jwksFile,
    sign: (claims, options = {}) => build(claims, 'RS256', { kid, ...options }).sign(privateKey),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export const base64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** `alg: none`: a header and payload with an empty signature, as an attacker would write it. */
export function unsignedToken(claims: JWTPayload, header: Record<string, unknown> = { alg: 'none', typ: 'JWT' }): string {
  const payload = { iss: TEST_ISSUER, aud: TEST_AUDIENCE, iat: now(), exp: now() + 3600, ...claims };
  return `${base64url(header)}.${base64url(payload)}.`;
}
