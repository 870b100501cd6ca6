import { createHash } from 'node:crypto';

/**
 * Canonical text of frozen values, remembered: plans are deep-frozen, so a sub-tree's text
 * never changes, and the plan and its core (which share sub-trees) are printed once.
 */
const memo = new WeakMap<object, string>();

/** JSON with object keys sorted at every level, so equal data always prints the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const known = memo.get(value);
  if (known !== undefined) return known;
  let text: string;
  if (Array.isArray(value)) {
    text = '[';
    for (let i = 0; i < value.length; i++) text += (i > 0 ? ',' : '') + canonicalJson(value[i]);
    text += ']';
  } else {
    text = '{';
    let first = true;
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined) continue;
      text += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
      first = false;
    }
    text += '}';
  }
  if (Object.isFrozen(value)) memo.set(value, text);
  return text;
}

const keys = new WeakMap<object, string>();

/** The cache key of a plan: SHA-256 of its canonical JSON, hex (remembered for frozen plans). */
export function planKey(plan: unknown): string {
  const known = typeof plan === 'object' && plan !== null ? keys.get(plan) : undefined;
  if (known !== undefined) return known;
  const key = createHash('sha256').update(canonicalJson(plan)).digest('hex');
  if (typeof plan === 'object' && plan !== null && Object.isFrozen(plan)) keys.set(plan, key);
  return key;
}
