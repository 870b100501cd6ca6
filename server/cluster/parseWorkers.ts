import { availableParallelism } from 'node:os';

/**
 * The value of `serve --workers`: a whole number above 0 in digits, or `auto` for one worker
 * per CPU core this process may use. Null for anything else (the CLI says what it expects).
 */
export function parseWorkers(text: string, cores: number = availableParallelism()): number | null {
  if (text === 'auto') return cores;
  if (!/^\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}
