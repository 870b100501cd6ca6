import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

/** Signing material made fresh for one benchmark run: an HS256 secret and an RS256 key in a local JWKS file. */
export interface BenchKeys {
  /** 48 random bytes, base64url: over the 32 bytes auth.jwt.secret requires, YAML-safe. */
  readonly secret: string;
  /** Absolute path of `{ "keys": [<RS256 public JWK>] }` in a temp dir. */
  readonly jwksPath: string;
  signHs256(claims: JWTPayload): Promise<string>;
  signRs256(claims: JWTPayload): Promise<string>;
  /** Removes the temp dir. */
  dispose(): Promise<void>;
}

const KID = 'tributary-bench-rs256';

/** Generates the keys and writes the JWKS file (jose generateKeyPair / exportJWK). */
export async function createBenchKeys(): Promise<BenchKeys> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tributary-bench-auth-'));
  try {
    const secret = randomBytes(48).toString('base64url');
    const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
    const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
    const jwksPath = path.join(dir, 'jwks.json');
    await writeFile(jwksPath, JSON.stringify({ keys: [jwk] }));
    const hsKey = new TextEncoder().encode(secret);
    const sign = (claims: JWTPayload) => new SignJWT(claims).setIssuedAt().setExpirationTime('1h');
    return {
      secret,
      jwksPath,
      signHs256: (claims) => sign(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(hsKey),
      signRs256: (claims) => sign(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: KID }).sign(privateKey),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
