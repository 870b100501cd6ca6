import { SignJWT } from 'jose';

/** Tokens for trying the demo with auth on: an admin, and an analyst who sees Europe only. */
export async function demoTokens(secret: string): Promise<{ admin: string; analyst: string }> {
  const key = new TextEncoder().encode(secret);
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('tributary-demo').setAudience('tributary').setIssuedAt().setExpirationTime('12h').sign(key);
  return {
    admin: await sign({ sub: 'demo-admin', role: 'admin' }),
    analyst: await sign({ sub: 'demo-analyst', role: 'analyst', regions: ['Europe'] }),
  };
}
