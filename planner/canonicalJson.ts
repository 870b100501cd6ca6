import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal data always prints the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The cache key of a plan: SHA-256 of its canonical JSON, hex. */
export function planKey(plan: unknown): string {
  return createHash('sha256').update(canonicalJson(plan)).digest('hex');
}
