import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { waitFor } from './waitFor.ts';

/** The machine's Redis that most L2 suites share (each under a prefix of its own). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run uses: suites share the machine's Redis. */
export function uniquePrefix(what: string): string {
  return `tributary-test:${what}:${randomUUID().slice(0, 8)}:`;
}

/**
 * A client of the test Redis, or null when it cannot be reached: under CI=true that throws
 * (a missing service fails the suite, it never skips silently); elsewhere it says why.
 */
export async function connectTestRedis(url = TEST_REDIS_URL): Promise<Redis | null> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    const why = `Redis at ${url} is unreachable: ${(error as Error).message}`;
    if (process.env.CI === 'true') throw new Error(`${why} (CI=true: integration suites require it)`);
    console.warn(`SKIPPING Redis integration suite: ${why}`);
    return null;
  }
}

/** Deletes every key under a prefix (a suite's cleanup). */
export async function deletePrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await client.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** A redis-server of a suite's own, for tests that kill it. */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILL, and waits until the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing is saved) and waits until it answers. */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: a Redis that holds its connections but never answers (hung), and back. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` on a free port, without persistence. Null when it cannot (no
 * redis-server on this machine): under CI=true that throws instead.
 */
export async function startPrivateRedis(): Promise<PrivateRedis | null> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    started.on('error', () => {}); // reported by the wait below (nothing answers)
    child = started;
    await waitFor(`redis-server on port ${port}`, () => ping(port), 10_000, 50);
  };
  const kill = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  try {
    await start();
  } catch (error) {
    await kill();
    const why = `could not start redis-server on port ${port}: ${(error as Error).message}`;
    if (process.env.CI === 'true') throw new Error(`${why} (CI=true: integration suites require it)`);
    console.warn(`SKIPPING private-Redis suite: ${why}`);
    return null;
  }
  const signal = (name: NodeJS.Signals) => () => void (child as ChildProcess | null)?.kill(name);
  return { url: `redis://127.0.0.1:${port}`, port, kill, restart: start, stop: kill, freeze: signal('SIGSTOP'), thaw: signal('SIGCONT') };
}

async function ping(port: number): Promise<boolean> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
