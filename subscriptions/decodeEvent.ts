import { compileEvaluator, parseTimeInput } from '../planner/index.ts';
import type { StreamConfig } from '../schema/index.ts';
import type { DimensionValue, MeasureInput, StreamEvent } from './window/index.ts';

/** A Kafka record as the decoder needs it. */
export interface RawRecord {
  readonly value: Buffer | null;
  /** Kafka's record timestamp, epoch ms as a string (kafkajs). */
  readonly timestamp: string;
}

export type Decoded = { readonly ok: true; readonly event: StreamEvent } | { readonly ok: false; readonly reason: string };

/**
 * Turns Kafka records of a stream into events: JSON objects whose event time is the
 * configured field (epoch ms or ISO-8601; `$kafka` = the record timestamp), whose
 * dimensions are typed fields, and whose measure inputs are the configured expressions
 * over numeric fields. Anything else is a bad message with a reason; it never throws.
 *
 * An event stamped more than `maxSkewMs` ahead of `now()` (the gateway clock) is a bad
 * message too: stream time is the largest event time seen, so one far-future stamp
 * (microseconds sent as milliseconds) would close every window, make every later event
 * late and purge the retained history. The wall clock is the reference, not stream time:
 * stream time is what such an event corrupts, it is unknown before the first event, and
 * after a quiet spell it lags behind events that are on time.
 *
 * `clock` is that gateway clock when the caller read it already: a feed reads it once per
 * batch, not once per event.
 */
export function createDecoder(stream: StreamConfig, now: () => number = Date.now): (record: RawRecord, clock?: number) => Decoded {
  const dims = Object.values(stream.dimensions);
  const measures = Object.values(stream.measures).map((m) => {
    if (!m.expr) return { name: m.name, input: () => 1 as MeasureInput }; // count(*)
    if (m.aggregation === 'countDistinct' && m.expr.kind === 'ref') {
      const field = m.expr.name;
      return { name: m.name, input: (o: Record<string, unknown>) => distinctInput(o[field]) };
    }
    if (m.expr.kind === 'ref') {
      // A plain field (`sum: amount`), what compileEvaluator would compute, without a lookup closure per event.
      const field = m.expr.name;
      return { name: m.name, input: (o: Record<string, unknown>) => numberOrNull(o[field]) as MeasureInput };
    }
    const evaluate = compileEvaluator(m.expr);
    return { name: m.name, input: (o: Record<string, unknown>) => evaluate((f) => numberOrNull(o[f])) as MeasureInput };
  });

  return (record, clock = now()) => {
    if (!record.value) return { ok: false, reason: 'empty message' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(record.value.toString('utf8'));
    } catch (error) {
      return { ok: false, reason: `not JSON: ${(error as Error).message}` };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, reason: 'not a JSON object' };
    const o = parsed as Record<string, unknown>;
    const time = stream.timestamp === '$kafka' ? Number(record.timestamp) : eventTime(o[stream.timestamp]);
    if (time === null || !Number.isFinite(time)) {
      return { ok: false, reason: `field "${stream.timestamp}" is not an epoch-ms number or ISO-8601 time: ${JSON.stringify(o[stream.timestamp] ?? null)}` };
    }
    if (time - clock > stream.maxSkewMs) return { ok: false, reason: skewReason(stream, time, clock) };
    const dimValues: Record<string, DimensionValue> = {};
    for (const d of dims) {
      const v = o[d.column];
      if (v === undefined || v === null) dimValues[d.name] = null;
      else if (typeof v === d.type && (typeof v !== 'number' || Number.isFinite(v))) dimValues[d.name] = v as DimensionValue;
      else return { ok: false, reason: `field "${d.column}" should be a ${d.type}, got ${JSON.stringify(v)}` };
    }
    const values: Record<string, MeasureInput> = {};
    for (const m of measures) values[m.name] = m.input(o);
    return { ok: true, event: { time, dims: dimValues, values } };
  };
}

function skewReason(stream: StreamConfig, time: number, clock: number): string {
  const shown = Math.abs(time) <= 8.64e15 ? new Date(time).toISOString() : `${time} ms`;
  return `event time ${shown} is ${Math.round(time - clock)} ms ahead of the gateway clock, more than the stream's maxSkew of ${stream.maxSkewMs} ms (microseconds sent as milliseconds?)`;
}

function eventTime(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return parseTimeInput(v, 'UTC');
  return null;
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function distinctInput(v: unknown): MeasureInput {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? v : null;
}
