import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDemoConfig } from '../demo/loadDemoConfig.ts';
import { openDemoDatabase } from '../demo/openDemoDatabase.ts';
import { createGateway, startServer } from '../server/index.ts';
import { keptAlive, type BenchGateway } from './benchGateway.ts';

/** The embedded database `npm start` serves (.data/pg at the repository's root). */
const DEMO_DATA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '.data', 'pg');

/**
 * A gateway over the demo itself: its config and its embedded (PGlite) database of 1,000,000
 * rows, seeded first when missing (as `npm start` would, with its progress in `log`). Throws
 * DataDirLocked while a demo is running on that directory.
 */
export async function startDemoGateway(log: (line: string) => void): Promise<BenchGateway> {
  const { db } = await openDemoDatabase(DEMO_DATA_DIR, { log });
  await db.close();
  const gateway = await createGateway(await loadDemoConfig(DEMO_DATA_DIR));
  try {
    return keptAlive(gateway, await startServer(gateway, { port: 0, host: '127.0.0.1' }));
  } catch (error) {
    await gateway.close();
    throw error;
  }
}
