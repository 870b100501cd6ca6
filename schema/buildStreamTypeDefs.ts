import type { Config, StreamConfig, StreamHistoryField } from './Config.ts';

const FILTER_INPUT = { string: 'StringFilter', number: 'NumberFilter', boolean: 'BooleanFilter', time: 'TimeFilter' } as const;
const OUTPUT_TYPE = { string: 'String', number: 'Float', boolean: 'Boolean', time: 'String' } as const;
const doc = (text: string) => JSON.stringify(text);

/** SDL of the streams: shared window inputs and per-stream types (their Subscription fields: streamSubscriptionFields). */
export function buildStreamTypeDefs(config: Config): string {
  const streams = Object.values(config.streams);
  if (streams.length === 0) return '';
  return [WINDOW_TYPES, ...streams.map((s) => streamTypes(s, config))].join('\n');
}

function streamTypes(s: StreamConfig, config: Config): string {
  const t = s.typeName;
  const dims = Object.values(s.dimensions);
  const measures = Object.values(s.measures);
  return `
"Filter on ${s.name} events before they are aggregated."
input ${t}Where {
${dims.map((d) => `  ${d.name}: ${FILTER_INPUT[d.type]}`).join('\n')}
  AND: [${t}Where!]
  OR: [${t}Where!]
  NOT: ${t}Where
}
"One sort key: set exactly one field."
input ${t}OrderBy {
${[...dims, ...measures].map((f) => `  ${f.name}: SortDirection`).join('\n')}
}
"One group of a ${s.name} window: the selected dimensions are the grouping."
type ${t}Row {
${dims.map((d) => `  ${d.name}: ${OUTPUT_TYPE[d.type]}`).join('\n')}
${measures.map((m) => `  ${doc(`${m.aggregation} of ${m.text}`)}\n  ${m.name}: Float`).join('\n')}
  "A calculation over this row's measures${Object.keys(s.history).length > 0 ? ' and history fields' : ''}."
  calc(expr: String!): Float
${Object.values(s.history).map((h) => `  ${doc(historyDoc(s, h))}\n  ${h.name}: Float`).join('\n')}
${Object.values(s.view.relations)
  .map((r) => `  ${doc(`The ${r.dataset} row whose ${Object.values(r.on).join(', ')} match this row's ${Object.keys(r.on).join(', ')}; looked up once per window version.`)}\n  ${r.name}: ${config.datasets[r.dataset]!.typeName}Row`)
  .join('\n')}
}
"One version of a window [start, end) of ${s.name}."
type ${t}Window {
  "Start of the window: ISO-8601 with the offset of the stream's timezone (UTC unless configured), as query time buckets print."
  start: String!
  "End of the window (exclusive), in the same format."
  end: String!
  "True on the version emitted when the window closed (stream time reached end + grace)."
  final: Boolean!
  "0 for the first version of the window, +1 for each change after it."
  revision: Int!
  rows: [${t}Row!]!
}`;
}

/** What a history field reads, for its doc string. */
function historyDoc(s: StreamConfig, h: StreamHistoryField): string {
  const when = h.offsetMs !== null ? `the same window ${h.offsetMs} ms earlier` : `the ${h.previousWindows} window${h.previousWindows === 1 ? '' : 's'} before this one (as long as this window each)`;
  return `${h.measure} of this row's key over ${when}, from ${s.landing!.dataset}; null where nothing was landed. Queried once per window version.`;
}

/** The Subscription fields of the streams. */
export function streamSubscriptionFields(config: Config): string[] {
  return Object.values(config.streams).map(
    (s: StreamConfig) => `  ${doc(`Windowed aggregates of Kafka topic ${s.kafka.topic}. grace ${s.graceMs} ms, retention ${s.retentionMs} ms.`)}
  ${s.name}(window: WindowInput!, where: ${s.typeName}Where, orderBy: [${s.typeName}OrderBy!], limit: Int, emit: EmitMode = CHANGES, throttle: String, since: String): ${s.typeName}Window!`,
  );
}

const WINDOW_TYPES = `
"Exactly one window kind. Durations are strings: 500ms, 10s, 1m, 2h, 1d."
input WindowInput @oneOf { tumble: String hop: HopInput session: SessionInput }
input HopInput { size: String! advance: String! }
input SessionInput { gap: String! }
"CHANGES: the window's rows whenever they change (at most once per throttle). FINAL: once, when the window closes."
enum EmitMode { CHANGES FINAL }
`;
