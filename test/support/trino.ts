import { mkdirSync, openSync, closeSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRunDir, startTrino, trinoAnswers } from '../../trino/server.mjs';
import { waitFor } from './waitFor.ts';

export interface TestTrino {
  /** `http://127.0.0.1:8080`, for a source's `url` and for direct queries. */
  readonly url: string;
}

/** Port of the Trino suites start when TRINO_URL is unset. */
const PORT = Number(process.env.TRINO_TEST_PORT ?? 8080);
/** Trino starts in ~20 s on a quiet 2-core machine, past a minute under load. */
const START_DEADLINE_MS = 240_000;

/**
 * The Trino that integration suites run against: TRINO_URL when it is set, else the
 * launcher's single-node server on 127.0.0.1:8080 (trino/server.mjs; fetched on first use),
 * reused when one already answers there. A server started here runs detached, so later
 * suites and processes reuse it instead of paying its start-up again; stop it with
 * `node trino/trino.mjs stop`. Parallel suites take a lock file to start it only once.
 *
 * When Trino cannot be had: under CI=true this throws (a missing service fails the
 * suite, it never skips silently); elsewhere it prints why and returns null so the
 * caller can `describe.skipIf(!trino)`.
 */
export async function connectTestTrino(): Promise<TestTrino | null> {
  const external = process.env.TRINO_URL?.trim().replace(/\/+$/, '');
  try {
    if (external) {
      if (!(await trinoAnswers(external, 15_000))) throw new Error('it did not answer `select count(*) from tpch.tiny.region` within 15 s (the suites need its tpch catalog)');
      return { url: external };
    }
    return { url: await sharedServer() };
  } catch (error) {
    const why = external
      ? `Trino at TRINO_URL=${external} is unreachable: ${(error as Error).message}`
      : `could not start Trino (trino/server.mjs needs Java 24+ and, on first use, Maven to fetch the server): ${(error as Error).message}`;
    if (process.env.CI === 'true') throw new Error(`${why} (CI=true: integration suites require it)`);
    console.warn(`SKIPPING Trino integration suite: ${why}`);
    return null;
  }
}

async function sharedServer(): Promise<string> {
  const url = `http://127.0.0.1:${PORT}`;
  if (await trinoAnswers(url, 5_000)) return url;
  const runDir = defaultRunDir(PORT);
  mkdirSync(runDir, { recursive: true });
  const lock = join(runDir, 'start.lock');
  let fd: number | null = null;
  try {
    fd = openSync(lock, 'wx');
  } catch {
    // Another suite is starting it: wait for it to answer (a crashed starter leaves the lock; the deadline bounds the wait).
    await waitFor(`Trino started by another suite at ${url} (or remove a stale ${lock})`, () => trinoAnswers(url, 5_000), START_DEADLINE_MS, 500);
    return url;
  }
  try {
    const trino = await startTrino({ port: PORT, detached: true, readyTimeoutMs: START_DEADLINE_MS, log: (line) => console.log(`[trino] ${line}`) });
    return trino.url;
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}
