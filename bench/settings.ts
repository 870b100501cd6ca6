/** Reads a whole-number setting from the environment, or its fallback; misuse names the variable. */
export function getValidCount(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number of at least ${min}; received: ${JSON.stringify(text)}`);
  }
  return value;
}

/** Progress lines go to stderr so the report on stdout stays clean. */
export const log = (line: string): void => void process.stderr.write(`${line}\n`);
