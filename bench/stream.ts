/**
 * `npm run bench:stream`: Tributary's streams over a real Kafka broker.
 *
 * 1. Ingest: BENCH_STREAM_EVENTS orders are produced (untimed) to a topic; then a bare
 *    kafkajs consumer reading and JSON-parsing them all is timed against a gateway's feed +
 *    window operator (one graphql-ws subscription, tumble 1s by region), alternately.
 * 2. Latency: a producer process sends BENCH_LATENCY_RATE orders/s for BENCH_LATENCY_SECONDS,
 *    each stamped with its send time; one graphql-ws subscriber (CHANGES, throttle 50ms)
 *    measures how long each event takes to show up in a window version.
 * 3. Fan-out: BENCH_FANOUT_SUBSCRIBERS FINAL subscriptions of one plan over BENCH_FANOUT_CONNECTIONS
 *    sockets (10,000 = 100 sockets x 100): every subscriber must get every final window, all
 *    equal; p99 from the produce of the event that closes a window to its delivery at each
 *    subscriber (target <= 200 ms); the gateway's event-loop delay and memory per subscriber.
 * 4. Replay: BENCH_STREAM_EVENTS orders replayed from Kafka as a `since` older than memory
 *    does (bench/measureReplay.ts): the rate in events/s, printed after the report.
 * 5. Context: the cost per window version of a relation and of a history field on stream
 *    rows against the same subscription without them (bench/measureContext.ts, Postgres at
 *    BENCH_PG_URL): delivery time from the closing batch and gateway CPU per version.
 *
 * The gateway runs in this process; producers and subscribers run in two child processes
 * (bench/streamLoad.ts). Kafka: KAFKA_BROKERS, else a broker started here (kafka/broker.mjs).
 * Prints a report; exits 0 whether or not the targets are met, non-zero when something failed.
 *
 * Environment: BENCH_STREAM_PARTS (ingest,latency,fanout), BENCH_STREAM_EVENTS (500000),
 * BENCH_INGEST_ROUNDS (4: both sides still speed up over the first rounds, as the broker's page cache and the JIT warm; the best of each side is compared), BENCH_LATENCY_RATE (10000), BENCH_LATENCY_SECONDS (20),
 * BENCH_FANOUT_SUBSCRIBERS (10000), BENCH_FANOUT_CONNECTIONS (100), BENCH_FANOUT_RATE (2000),
 * BENCH_FANOUT_SECONDS (10), BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/test),
 * BENCH_CONTEXT_WINDOWS (150), BENCH_CONTEXT_PACE_MS (40), BENCH_CONTEXT_ROUNDS (3).
 */
import os from 'node:os';
import { connectBenchKafka, seedOrders, type BenchKafka } from './benchKafka.ts';
import { startLoadProcess, type LoadProcess } from './loadProcess.ts';
import { measureFanOut } from './measureFanOut.ts';
import { measureIngest } from './measureIngest.ts';
import { measureContext } from './measureContext.ts';
import { measureLatency } from './measureLatency.ts';
import { measureReplay } from './measureReplay.ts';
import { formatStreamReport, type StreamReport } from './printStreamReport.ts';
import { getValidCount, log } from './settings.ts';

const PARTS = ['ingest', 'latency', 'fanout', 'replay', 'context'] as const;
type Part = (typeof PARTS)[number];

function readSettings(env: NodeJS.ProcessEnv) {
  const parts = (env.BENCH_STREAM_PARTS || PARTS.join(',')).split(',').map((p) => p.trim());
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`BENCH_STREAM_PARTS must list some of ${PARTS.join(', ')}; received: ${JSON.stringify(env.BENCH_STREAM_PARTS)}`);
  return {
    parts: new Set(parts as Part[]),
    events: getValidCount(env, 'BENCH_STREAM_EVENTS', 500_000, 1),
    ingestRounds: getValidCount(env, 'BENCH_INGEST_ROUNDS', 4, 1),
    latencyRate: getValidCount(env, 'BENCH_LATENCY_RATE', 10_000, 100),
    latencySeconds: getValidCount(env, 'BENCH_LATENCY_SECONDS', 20, 3),
    fanOutSubscribers: getValidCount(env, 'BENCH_FANOUT_SUBSCRIBERS', 10_000, 1),
    fanOutConnections: getValidCount(env, 'BENCH_FANOUT_CONNECTIONS', 100, 1),
    fanOutRate: getValidCount(env, 'BENCH_FANOUT_RATE', 2_000, 10),
    fanOutSeconds: getValidCount(env, 'BENCH_FANOUT_SECONDS', 10, 3),
    pgUrl: env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test',
    contextWindows: getValidCount(env, 'BENCH_CONTEXT_WINDOWS', 150, 10),
    contextPaceMs: getValidCount(env, 'BENCH_CONTEXT_PACE_MS', 40, 5),
    contextRounds: getValidCount(env, 'BENCH_CONTEXT_ROUNDS', 3, 1),
  };
}

const loadAverage = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const run = `${Date.now().toString(36)}-${process.pid}`;
  const environment = [
    `Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), shared by the broker, the gateway (this process) and 2 load processes`,
    `load average at start (1/5/15 min): ${loadAverage()}`,
  ];
  log(`load average: ${loadAverage()}`);
  let kafka: BenchKafka | undefined;
  const loads: LoadProcess[] = [];
  try {
    kafka = await connectBenchKafka(log);
    environment.push(`Kafka: ${kafka.description}; single-partition topics (one per measurement)`);
    const producer = startLoadProcess('producer');
    const subscribers = startLoadProcess('subscribers');
    loads.push(producer, subscribers);
    const topic = async (name: string) => {
      const t = `bench-stream-${name}-${run}`;
      await kafka!.createTopic(t, 1);
      return t;
    };
    const report: { -readonly [K in keyof StreamReport]: StreamReport[K] } = { environment, ingest: null, latency: null, fanOut: null };

    if (settings.parts.has('ingest')) {
      const t = await topic('ingest');
      log(`1. ingest: producing ${settings.events.toLocaleString('en-US')} orders to ${t} (untimed)`);
      await seedOrders(kafka, t, settings.events, log);
      log(`   load average: ${loadAverage()}`);
      report.ingest = await measureIngest(kafka, subscribers, t, settings.events, settings.ingestRounds, log);
    }
    if (settings.parts.has('latency')) {
      log(`2. latency: ${settings.latencyRate} events/s for ${settings.latencySeconds} s; load average: ${loadAverage()}`);
      report.latency = await measureLatency(kafka, producer, subscribers, await topic('latency'), {
        ratePerSecond: settings.latencyRate,
        seconds: settings.latencySeconds,
        warmupSeconds: 2,
        throttleMs: 50,
        tickMs: 10,
      });
    }
    if (settings.parts.has('fanout')) {
      log(`3. fan-out: ${settings.fanOutSubscribers} subscribers over ${settings.fanOutConnections} connections; load average: ${loadAverage()}`);
      report.fanOut = await measureFanOut(kafka, producer, subscribers, await topic('fanout'), {
        subscribers: settings.fanOutSubscribers,
        connections: settings.fanOutConnections,
        ratePerSecond: settings.fanOutRate,
        seconds: settings.fanOutSeconds,
        warmupSeconds: 2,
      });
    }
    let replayLine: string | null = null;
    if (settings.parts.has('replay')) {
      const t = await topic('replay');
      log(`4. replay: producing ${settings.events.toLocaleString('en-US')} orders to ${t} (untimed), then replaying them; load average: ${loadAverage()}`);
      const lastTs = await seedOrders(kafka, t, settings.events, log);
      replayLine = await measureReplay(kafka.brokers, t, lastTs - settings.events + 1, settings.events, log);
    }
    let contextLines: string[] = [];
    if (settings.parts.has('context')) {
      log(`5. context: a relation and a history field per window version; load average: ${loadAverage()}`);
      contextLines = await measureContext(
        kafka,
        await topic('context'),
        { pgUrl: settings.pgUrl, windows: settings.contextWindows, paceMs: settings.contextPaceMs, rounds: settings.contextRounds },
        log,
      );
    }
    environment.push(`load average at end (1/5/15 min): ${loadAverage()}`);
    console.log(formatStreamReport(report));
    if (replayLine) console.log(replayLine);
    for (const line of contextLines) console.log(line);
  } finally {
    await Promise.all(loads.map((l) => l.close()));
    await kafka?.close();
  }
}

main()
  .then(
    () => {
      process.exitCode = 0;
    },
    (error: unknown) => {
      console.error(`bench:stream failed: ${error instanceof Error ? error.message : String(error)}`);
      if (error instanceof Error && error.stack) console.error(error.stack.split('\n').slice(1).join('\n'));
      process.exitCode = 1;
    },
  )
  // A client library that still holds a socket or timer must not keep the process alive.
  .finally(() => setTimeout(() => process.exit(), 3_000).unref());
