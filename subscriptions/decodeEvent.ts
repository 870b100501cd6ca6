import { parseTimeInput } from '../planner/index.ts';
import type { StreamConfig } from '../schema/index.ts';
import { compileEventReader, compileTimeField } from './compileEventReader.ts';
import { compileSchemaMapping } from './compileSchemaMapping.ts';
import { compileUnknownFieldScan } from './compileUnknownFieldScan.ts';
import type { StreamEvent } from './window/index.ts';

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
 *
 * Before anything is read, the stream's schema mapping (compileSchemaMapping) puts each
 * field where the reader looks for it, and `onUnknownField`, when given, hears the pointer
 * of every member of the event that nothing maps (bad messages included: a producer's
 * change shows whether or not it broke the events).
 */
export function createDecoder(
  stream: StreamConfig,
  now: () => number = Date.now,
  onUnknownField?: (pointer: string) => void,
): (record: RawRecord, clock?: number) => Decoded {
  const read = compileEventReader(stream);
  const map = compileSchemaMapping(stream);
  const scan = onUnknownField ? compileUnknownFieldScan(stream) : null;
  const timestampField = stream.timestamp;
  const fromKafka = timestampField === '$kafka';
  const rawTime = compileTimeField(timestampField);
  const maxSkewMs = stream.maxSkewMs;

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
    if (scan) scan(o, onUnknownField!);
    if (map) {
      const unmapped = map(o);
      if (unmapped !== null) return { ok: false, reason: unmapped };
    }
    const time = fromKafka ? Number(record.timestamp) : eventTime(rawTime(o));
    if (time === null || !Number.isFinite(time)) {
      return { ok: false, reason: `field "${timestampField}" is not an epoch-ms number or ISO-8601 time: ${JSON.stringify(o[timestampField] ?? null)}` };
    }
    if (time - clock > maxSkewMs) return { ok: false, reason: skewReason(stream, time, clock) };
    const event = read(o, time);
    return typeof event === 'string' ? { ok: false, reason: event } : { ok: true, event };
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
