import { randomUUID } from 'node:crypto';
import type { BenchKafka } from './benchKafka.ts';
import type { LoadProcess } from './loadProcess.ts';
import { sleep } from './orderEvents.ts';
import { probeProcess, type ProcessLoad } from './processProbe.ts';
import { startStreamGateway, STREAM, windowSubscription } from './streamGateway.ts';
import { VERSION_FIELDS } from './subscriptionClients.ts';

export interface IngestRun {
  readonly side: 'bare kafkajs' | 'tributary';
  readonly round: number;
  /** Start (connect, or subscribe) → the first batch consumed. */
  readonly startupMs: number;
  /** First batch consumed → all events consumed: the rate the consumer sustains. */
  readonly steadyMs: number;
  /** Events consumed within steadyMs (all but the first batch). */
  readonly steadyEvents: number;
  readonly totalMs: number;
  readonly load: ProcessLoad;
}

export interface IngestResult {
  readonly events: number;
  readonly runs: readonly IngestRun[];
  /** Window versions the one subscriber received in each tributary run. */
  readonly subscriberVersions: readonly number[];
}

/** The query of the ingest runs: tumble 1s, group by region, sum/count/max. */
export const INGEST_QUERY = windowSubscription({ tumble: '1s', rows: 'region revenue orders maxAmount' });

/**
 * Reads `events` orders already in `topic`, alternately (bare, tributary) × rounds:
 * - bare kafkajs: a consumer in a fresh group from the beginning, eachBatch, JSON.parse of
 *   every value (what the feed's decoder starts with);
 * - tributary: a gateway in this process with one graphql-ws subscription (from `load`),
 *   whose feed starts at (now - retention) by timestamp; done when
 *   tributary_stream_events_total reaches `events` (polled every 2 ms).
 * Both sides time the same span: from the first batch consumed (the gateway's counter
 * moves once a batch is decoded) to the last, and count the events after the first batch;
 * timing the bare consumer from the start of its first batch would charge it a batch the
 * gateway is not charged.
 */
export async function measureIngest(kafka: BenchKafka, load: LoadProcess, topic: string, events: number, rounds: number, log: (line: string) => void): Promise<IngestResult> {
  const runs: IngestRun[] = [];
  const subscriberVersions: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    log(`  round ${round}/${rounds}: bare kafkajs consumer`);
    runs.push({ side: 'bare kafkajs', round, ...(await consumeBare(kafka, topic, events)) });
    log(`  round ${round}/${rounds}: tributary feed + window operator + 1 subscriber`);
    const { run, versions } = await consumeTributary(kafka, load, topic, events);
    runs.push({ side: 'tributary', round, ...run });
    subscriberVersions.push(versions);
  }
  return { events, runs, subscriberVersions };
}

type Timing = Omit<IngestRun, 'side' | 'round'>;

async function consumeBare(kafka: BenchKafka, topic: string, events: number): Promise<Timing> {
  const consumer = kafka.client('tributary-bench-bare').consumer({ groupId: `tributary-bench-bare-${randomUUID()}` });
  const probe = probeProcess();
  const started = performance.now();
  let first = 0;
  let seen = 0;
  let seenAtFirst = 0;
  let checksum = 0;
  let finish!: (at: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const order = JSON.parse(message.value!.toString('utf8')) as { amount: number };
          checksum += order.amount;
          seen++;
        }
        if (first === 0 && seen > 0) [first, seenAtFirst] = [performance.now(), seen];
        if (seen >= events) finish(performance.now());
      },
    });
    const ended = await done;
    if (seen !== events || !(checksum > 0)) throw new Error(`bare consumer read ${seen} orders, expected ${events}`);
    return { startupMs: first - started, steadyMs: ended - first, steadyEvents: events - seenAtFirst, totalMs: ended - started, load: probe.stop() };
  } finally {
    await consumer.disconnect();
  }
}

async function consumeTributary(kafka: BenchKafka, load: LoadProcess, topic: string, events: number): Promise<{ run: Timing; versions: number }> {
  const gw = await startStreamGateway(kafka.brokers, topic);
  try {
    const probe = probeProcess();
    const started = performance.now();
    await load.call({ kind: 'subscribe', url: gw.server.url, field: STREAM, query: INGEST_QUERY, connections: 1, perConnection: 1 });
    let first = 0;
    let seen = 0;
    let seenAtFirst = 0;
    const deadline = started + 300_000;
    while (seen < events) {
      seen = await gw.events();
      if (first === 0 && seen > 0) [first, seenAtFirst] = [performance.now(), seen];
      if (performance.now() > deadline) throw new Error(`the gateway processed ${seen} of ${events} events in 300 s`);
      if (seen < events) await sleep(2);
    }
    const ended = performance.now();
    const run = { startupMs: first - started, steadyMs: ended - first, steadyEvents: events - seenAtFirst, totalMs: ended - started, load: probe.stop() };
    if (seen !== events) throw new Error(`the gateway counted ${seen} events, expected ${events}`);
    await sleep(300); // the last CHANGES versions (throttle 250ms) reach the subscriber
    const { recordings } = await load.call({ kind: 'collect' });
    await load.call({ kind: 'closeSubscriptions' });
    const errors = recordings.flatMap((r) => r.errors);
    if (errors.length > 0) throw new Error(`the ingest subscriber got errors: ${errors.slice(0, 3).join('; ')}`);
    const versions = recordings.reduce((n, r) => n + r.versions.length / VERSION_FIELDS, 0);
    if (versions === 0) throw new Error('the ingest subscriber received no window version');
    return { run, versions };
  } finally {
    await gw.close();
  }
}
