import { compileEvaluator } from '../planner/index.ts';
import type { StreamConfig } from '../schema/index.ts';
import type { MeasureInput, StreamEvent } from './window/index.ts';

/** Reads a parsed event object with its event time: the event, or why it is a bad message. */
export type EventReader = (o: Record<string, unknown>, time: number) => StreamEvent | string;

/** The raw value of a stream's event-time field in a parsed event object, read the same way. */
export function compileTimeField(field: string): (o: Record<string, unknown>) => unknown {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the field name enters only as a JSON literal
  return new Function(`return function timeField(o) { return o[${JSON.stringify(field)}]; };`)() as (o: Record<string, unknown>) => unknown;
}

/**
 * A stream's event reader, generated once per stream as a function whose field reads and
 * object literals name the configured fields (`o["region"]`, `{ "region": d0, ... }`). It
 * runs for every message, and V8 turns constant property names into inline-cached loads
 * and one fixed object layout, while a loop over config names (`o[column]`, `dims[name] =`)
 * is a generic keyed lookup per field per event: in a gateway ingesting 200,000+ events
 * per second that cost more than the JSON parse itself (bench:stream ingest 0.66x of a
 * bare consumer with the loop). Names only enter the code as JSON string literals; stream
 * dimension and measure names are GraphQL names (config validation), so none is
 * `__proto__`. Semantics are those of the loop it replaces: a missing or null dimension is
 * null, a present one must have its type (numbers finite); a field measure's input is its
 * finite number (or, for countDistinct, a string or finite number), else null; count(*)
 * is 1; an expression measure is evaluated over the event's finite numbers.
 */
export function compileEventReader(stream: StreamConfig): EventReader {
  const literal = (text: string) => JSON.stringify(text);
  const dims = Object.values(stream.dimensions);
  const measures = Object.values(stream.measures);
  const evaluators: ((o: Record<string, unknown>) => MeasureInput)[] = [];
  const checks = dims.map((d, i) => {
    const v = `d${i}`;
    const typed = d.type === 'number' ? `typeof ${v} === "number" && Number.isFinite(${v})` : `typeof ${v} === ${literal(d.type)}`;
    return `let ${v} = o[${literal(d.column)}];
  if (${v} === undefined) ${v} = null;
  else if (${v} !== null && !(${typed})) return badDimension(${i}, ${v});`;
  });
  const inputs = measures.map((m) => {
    if (!m.expr) return '1'; // count(*)
    if (m.expr.kind === 'ref') return `${m.aggregation === 'countDistinct' ? 'distinctInput' : 'numberOrNull'}(o[${literal(m.expr.name)}])`;
    const evaluate = compileEvaluator(m.expr);
    evaluators.push((o) => evaluate((f) => numberOrNull(o[f])) as MeasureInput);
    return `evaluators[${evaluators.length - 1}](o)`;
  });
  const body = `return function readEvent(o, time) {
  ${checks.join('\n  ')}
  return {
    time,
    dims: { ${dims.map((d, i) => `${literal(d.name)}: d${i}`).join(', ')} },
    values: { ${measures.map((m, i) => `${literal(m.name)}: ${inputs[i]}`).join(', ')} },
  };
};`;
  const badDimension = (i: number, v: unknown) => `field "${dims[i]!.column}" should be a ${dims[i]!.type}, got ${JSON.stringify(v)}`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from config names as JSON literals, see above
  const make = new Function('numberOrNull', 'distinctInput', 'badDimension', 'evaluators', body) as (...args: unknown[]) => EventReader;
  return make(numberOrNull, distinctInput, badDimension, evaluators);
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function distinctInput(v: unknown): MeasureInput {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? v : null;
}
