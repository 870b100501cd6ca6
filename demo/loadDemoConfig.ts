import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig, type Config } from '../schema/index.ts';

const DEMO = path.dirname(fileURLToPath(import.meta.url));

/**
 * The demo's config over the embedded database in `dataDir`. With `authSecret`, the
 * access control of demo/auth.yaml is added (its top-level keys, auth and roles, are not
 * in tributary.yaml) with that HS256 secret. Throws ConfigErrors like any config.
 */
export async function loadDemoConfig(dataDir: string, options: { authSecret?: string } = {}): Promise<Config> {
  const files = ['tributary.yaml', ...(options.authSecret ? ['auth.yaml'] : [])];
  const text = (await Promise.all(files.map((f) => readFile(path.join(DEMO, f), 'utf8')))).join('\n');
  const env = { ...process.env, DEMO_DATA_DIR: dataDir, ...(options.authSecret ? { DEMO_JWT_SECRET: options.authSecret } : {}) };
  return parseConfig(text, { env, baseDir: DEMO });
}
