/**
 * Child process of kafkaUnreachable.test.ts (run with node --expose-gc --import tsx): a
 * gateway whose stream points at a closed port, and many subscriptions that are abandoned
 * (the client goes away once it has an answer, or after ABANDON_MS without one). Prints
 * one JSON line: the heap after GC before and after the measured attempts, and the live
 * handles (sockets, timers) before and after, so the parent can check that an abandoned
 * attempt leaves nothing behind.
 */
import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer } from '../server/index.ts';
import { firstSseResult, firstWsResult } from './support/firstResult.ts';

const WARMUP = Number(process.env.WARMUP ?? 40);
const ATTEMPTS = Number(process.env.ATTEMPTS ?? 200);
const BATCH = 20;
// Each client waits at most this long for its error (due after connectTimeout, 300 ms), then
// leaves. Generous: on a loaded 2-core CI machine a few of 400 took past 1 s, and what this
// checks is that every attempt is answered and leaves nothing behind, not how fast.
const ABANDON_MS = 5_000;
const QUERY = 'subscription { orders(window: { tumble: "10s" }) { start end rows { region orders } } }';

const config = parseConfig(`
sources: {}
datasets: {}
streams:
  orders:
    kafka: { brokers: "127.0.0.1:1", topic: leak-check }
    connectTimeout: 300ms
    dimensions: { region: { type: string } }
    measures: { orders: { count: "*" } }
`);
const gateway = await createGateway(config);
const server = await startServer(gateway, { port: 0, host: '127.0.0.1' });
let answered = 0;
// Serving, before any attempt: the listening socket and the like. A failed feed adds its
// one retry timer; anything past that is a leftover of an attempt.
const idleHandles = handles() + 1;

/** `n` abandoned attempts, BATCH at a time, half over graphql-ws and half over SSE. */
async function attempts(n: number): Promise<void> {
  for (let i = 0; i < n; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, n - i) }, (_, j) =>
      (j % 2 === 0 ? firstWsResult : firstSseResult)(server.url, QUERY, ABANDON_MS).then((r) => void (r.result ? answered++ : 0)),
    );
    await Promise.all(batch);
  }
}

/** Heap after full collections (several: weak references and finalizers need more than one). */
async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 6; i++) {
    globalThis.gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/** Live handles (sockets, timers, ...): kafkajs retries still running show up here. */
/** Live handles (sockets, timers, ...): kafkajs retries still running show up here. */
function handles(): number {
  return process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;
}
const unused = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;

/** Waits (bounded) until the handles are back to `n`: a finished attempt's retries have ended. */
async function settle(n: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  while (handles() > n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return handles();
}

const t0 = Date.now();
await attempts(WARMUP);
const baseHandles = await settle(idleHandles);
const t1 = Date.now();
const before = await heapAfterGc();
await attempts(ATTEMPTS);
const middle = await heapAfterGc();
await attempts(ATTEMPTS);
const afterHandles = await settle(baseHandles);
const after = await heapAfterGc();
console.log(JSON.stringify({ attempts: ATTEMPTS, answered: answered - WARMUP, before, middle, after, perAttemptBytes: (after - middle) / ATTEMPTS, baseHandles, afterHandles, warmMs: t1 - t0, ms: Date.now() - t1 }));
await server.close();
await gateway.close();
process.exit(0);
