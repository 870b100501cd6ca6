import type { AuthCost } from './measureAuthCost.ts';

const ms = (x: number) => x.toFixed(3);
const signed = (x: number, digits = 3) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;

/** The "cost of auth on a HIT" section of bench:cache, as plain text. */
export function formatAuthCost(r: AuthCost): string {
  const [open, ...authed] = r.variants;
  if (!open) throw new Error('auth cost: no variants measured');
  const out: string[] = [];
  out.push('', '== Auth on a cache HIT: the same cached dashboard query without and with JWT verification ==');
  out.push(`  query   ${r.query}`);
  out.push(`  answer  ${r.rows} rows, ${r.resultBytes}-byte response, a HIT on a core warmed by cache: REFRESH on each gateway (/metrics: only HITs, no source query)`);
  out.push('  (a) a gateway without auth; (b), (c) one gateway with auth.jwt.secret (HS256); (d) one with auth.jwt.jwks, a local JWKS file (RS256, 2048-bit)');
  out.push(`  roles   admin: "*"; tenant: sales rows region in $claims.regions; the tenant token lists ${r.tenantRegions.length} regions (${r.tenantRegions.join(', ')}),`);
  out.push('          so its row policy joins its plan and core key while its answer stays byte-identical to (a)\'s');
  out.push(`  method  ${r.iterations} timed requests per variant after ${r.warmup} warm-ups, in rotation (iteration i starts with variant i mod 4), one at a time,`);
  out.push('          each variant on its own keep-alive connection; keys generated at bench start (jose generateKeyPair / exportJWK)');
  out.push('');
  out.push(`  ${'variant'.padEnd(38)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'+p50 ms'.padStart(10)}${'+p50 %'.padStart(9)}${'+p95 ms'.padStart(10)}${'paired +ms'.padStart(12)}${'verify µs'.padStart(11)}`);
  for (const v of r.variants) {
    const isOpen = v === open;
    const dash = (text: string) => (isOpen ? '-' : text);
    out.push(
      `  ${v.name.padEnd(38)}${ms(v.latency.p50).padStart(9)}${ms(v.latency.p95).padStart(9)}` +
        `${dash(signed(v.latency.p50 - open.latency.p50)).padStart(10)}` +
        `${dash(`${signed((100 * (v.latency.p50 - open.latency.p50)) / open.latency.p50, 1)}%`).padStart(9)}` +
        `${dash(signed(v.latency.p95 - open.latency.p95)).padStart(10)}` +
        `${dash(signed(v.pairedDeltaMs)).padStart(12)}` +
        `${(v.verifyMicros === null ? '-' : v.verifyMicros.toFixed(1)).padStart(11)}`,
    );
  }
  out.push('  +p50/+p95 = that percentile minus (a)\'s; paired +ms = median over iterations of (variant − (a)) in the same iteration;');
  out.push('  verify µs = median of the gateway\'s own authenticate("Bearer …") in process, no HTTP (what every request pays before parsing)');
  const worst = authed.reduce((w, v) => (v.latency.p50 - open.latency.p50 > w.latency.p50 - open.latency.p50 ? v : w), authed[0]!);
  if (worst) {
    const added = worst.latency.p50 - open.latency.p50;
    out.push(`  largest added p50: ${worst.name}, ${signed(added)} ms (${signed((100 * added) / open.latency.p50, 1)}%) on a ${ms(open.latency.p50)} ms HIT`);
  }
  return out.join('\n');
}
