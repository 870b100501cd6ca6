import type { LatencySummary } from './freshness.ts';
import type { FanOutResult } from './measureFanOut.ts';
import type { IngestResult, IngestRun } from './measureIngest.ts';
import type { LatencyResult } from './measureLatency.ts';
import type { ProcessLoad } from './processProbe.ts';

export const TARGETS = { ingestRatio: 0.8, latencyP99OverThrottleMs: 100, fanOutCloseToDeliveryP99Ms: 200 } as const;

export interface StreamReport {
  readonly environment: readonly string[];
  readonly ingest: IngestResult | null;
  readonly latency: LatencyResult | null;
  readonly fanOut: FanOutResult | null;
}

const n = (x: number, digits = 0) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (x: number) => `${n(x, 1)} ms`;
const lat = (s: LatencySummary) => `p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.max)} (n = ${n(s.n)})`;
const cpu = (l: ProcessLoad, events: number) =>
  `gateway process CPU ${n(l.cpuMs)} ms over ${n(l.wallMs)} ms wall (${n((100 * l.cpuMs) / l.wallMs)}% of a core, ${n((1000 * l.cpuMs) / events, 2)} µs/event), event-loop delay p99 ${ms(l.loopDelayP99Ms)}, max ${ms(l.loopDelayMaxMs)}`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
/** The issue-10 targets print PASS or FAIL. */
const passFail = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/** Events per second after the first batch (both sides time the same span, see measureIngest). */
const steadyRate = (r: IngestRun) => r.steadyEvents / (r.steadyMs / 1000);

/** The fastest run of a side: the machine is shared, so slower runs carry others' load. */
export function bestRun(runs: readonly IngestRun[], side: IngestRun['side']): IngestRun {
  return runs.filter((r) => r.side === side).reduce((a, b) => (steadyRate(b) > steadyRate(a) ? b : a));
}

/** Tributary's steady rate over the bare consumer's in the same round, round by round. */
export function roundRatios(ingest: IngestResult): number[] {
  const ratios: number[] = [];
  for (const trib of ingest.runs) {
    if (trib.side !== 'tributary') continue;
    const bare = ingest.runs.find((r) => r.side === 'bare kafkajs' && r.round === trib.round);
    if (bare) ratios.push(steadyRate(trib) / steadyRate(bare));
  }
  return ratios;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function ingestRatios(ingest: IngestResult): { steady: number; total: number } {
  const [bare, trib] = [bestRun(ingest.runs, 'bare kafkajs'), bestRun(ingest.runs, 'tributary')];
  return { steady: steadyRate(trib) / steadyRate(bare), total: bare.totalMs / trib.totalMs };
}

/** The benchmark's report as plain text: environment, one section per measurement, then the summary. */
export function formatStreamReport(report: StreamReport): string {
  const out: string[] = ['Tributary stream benchmark', ...report.environment.map((line) => `  ${line}`)];
  const summary: string[] = [];
  const { ingest, latency, fanOut } = report;

  if (ingest) {
    out.push('', `== 1. Ingest throughput: ${n(ingest.events)} JSON orders already in the topic ==`);
    for (const r of ingest.runs) {
      out.push(
        `  ${r.side.padEnd(13)} round ${r.round}: ${n(steadyRate(r))} events/s steady (${n(r.steadyEvents)} events after the first batch in ${ms(r.steadyMs)}), ` +
          `startup ${ms(r.startupMs)}, total ${ms(r.totalMs)} = ${n(ingest.events / (r.totalMs / 1000))} events/s`,
      );
      out.push(`      ${cpu(r.load, ingest.events)}`);
    }
    const ratio = ingestRatios(ingest);
    const [bare, trib] = [bestRun(ingest.runs, 'bare kafkajs'), bestRun(ingest.runs, 'tributary')];
    out.push(`  subscriber received ${ingest.subscriberVersions.map((v) => n(v)).join(', ')} window versions (per tributary run)`);
    out.push(`  best runs: tributary ${n(steadyRate(trib))} vs bare ${n(steadyRate(bare))} events/s steady: ratio ${ratio.steady.toFixed(3)} (incl. startup: ${ratio.total.toFixed(3)})`);
    const perRound = roundRatios(ingest);
    out.push(
      `  per round (tributary / the bare run just before it): ${perRound.map((r) => r.toFixed(2)).join(', ')}; median ${median(perRound).toFixed(3)} ` +
        '(the two sides drift together within a round, so this is the steadier figure when the machine is noisy)',
    );
    summary.push(`ingest ratio tributary/bare (steady)     ${`${ratio.steady.toFixed(3)}x`.padStart(9)}   target >= ${TARGETS.ingestRatio}x   ${passFail(ratio.steady >= TARGETS.ingestRatio)}`);
  }

  if (latency) {
    const o = latency.options;
    out.push('', `== 2. Produce→subscriber latency at ${n(o.ratePerSecond)} events/s ==`);
    out.push(`  producer: ${n(latency.sent)} events in ${n(latency.produceRequests)} requests (every ${o.tickMs} ms) over ${o.seconds} s = ${n(latency.achievedRate)} events/s; most requests in flight ${latency.maxInFlight}`);
    out.push(`  subscriber: ${latency.query}`);
    out.push(`  figures leave out the first ${o.warmupSeconds} s; late events ${latency.lateEvents}; events never seen ${latency.unseen}`);
    out.push(`  per event (first version with maxSent >= its send time): ${lat(latency.perEvent)}`);
    out.push(`  per version (arrival - maxSent):                         ${lat(latency.perVersion)}`);
    out.push(`  per event p99 - throttle: ${ms(latency.perEvent.p99 - o.throttleMs)} (per version figures hold no throttle wait: a version carries the freshest event at its release)`);
    out.push(`  ${cpu(latency.gateway, latency.sent)}; subscriber process event-loop delay p99 ${ms(latency.clientLoopDelayP99Ms)}`);
    const over = latency.perEvent.p99 - o.throttleMs;
    summary.push(`latency p99 per event (raw)              ${ms(latency.perEvent.p99).padStart(9)}   target <= ${TARGETS.latencyP99OverThrottleMs + o.throttleMs} ms  ${verdict(latency.perEvent.p99 <= TARGETS.latencyP99OverThrottleMs + o.throttleMs)}`);
    summary.push(`latency p99 per event - throttle ${String(o.throttleMs).padStart(3)}ms   ${ms(over).padStart(9)}   target <= ${TARGETS.latencyP99OverThrottleMs} ms  ${verdict(over <= TARGETS.latencyP99OverThrottleMs)}`);
  }

  if (fanOut) {
    const o = fanOut.options;
    const per = o.subscribers / o.connections;
    const target = TARGETS.fanOutCloseToDeliveryP99Ms;
    out.push('', `== 3. ${n(o.subscribers)} graphql-ws FINAL subscribers of one plan ==`);
    out.push(`  ${n(o.connections)} WebSocket connections × ${per} subscription${per === 1 ? '' : 's'} each (opened in ${ms(fanOut.connectMs)}), plus 1 reference subscription`);
    out.push(`  query: ${fanOut.query}`);
    out.push(`  producer: ${n(fanOut.sent)} events over ${o.seconds} s = ${n(fanOut.achievedRate)} events/s, then a watermark closing all windows`);
    out.push(`  gateway memory per subscriber: ${n(fanOut.bytesPerSubscriber)} B heapUsed+external${fanOut.gcAvailable ? ' (after global.gc)' : ' (no --expose-gc: noisy)'}; rss moved by ${n(fanOut.rssPerSubscriber)} B per subscriber (allocator noise, may be negative)`);
    out.push(`  final windows: ${fanOut.finalWindows} per subscription, at every subscription; distinct final sequences across ${n(o.subscribers + 1)} subscriptions: ${fanOut.distinctFinals}`);
    out.push(`  produce of the closing event -> delivery of the final window, every subscriber (${fanOut.timedWindows} windows each; warm-up ${o.warmupSeconds} s and watermark-closed windows left out): ${lat(fanOut.closeToDelivery)}`);
    out.push(`  worst subscriber's own p99: ${ms(fanOut.worstSubscriberP99Ms)}`);
    out.push(`  fan-out spread of each final window across subscribers (last - first arrival): ${lat(fanOut.finalSpread)}`);
    out.push(`  ${cpu(fanOut.gateway, fanOut.sent)}; subscriber process event-loop delay p99 ${ms(fanOut.clientLoopDelayP99Ms)}`);
    summary.push(`fan-out close->delivery p99              ${ms(fanOut.closeToDelivery.p99).padStart(9)}   target <= ${target} ms  ${passFail(fanOut.closeToDelivery.p99 <= target)}`);
    summary.push(`fan-out every final window everywhere    ${String(fanOut.distinctFinals === 1).padStart(9)}   target true      ${passFail(fanOut.distinctFinals === 1)}`);
    summary.push(`fan-out gateway event-loop delay p99     ${ms(fanOut.gateway.loopDelayP99Ms).padStart(9)}   (no target; reported)`);
    summary.push(`fan-out memory per subscriber            ${`${n(fanOut.bytesPerSubscriber / 1024, 1)} KiB`.padStart(9)}   (no target; reported)`);
  }

  out.push('', '== Summary ==', ...summary.map((line) => `  ${line}`));
  return out.join('\n');
}
