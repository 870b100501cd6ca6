import type { Config, StreamFusionConfig } from './Config.ts';

const FILTER_INPUT = { string: 'StringFilter', number: 'NumberFilter', boolean: 'BooleanFilter' } as const;
const OUTPUT_TYPE = { string: 'String', number: 'Float', boolean: 'Boolean' } as const;
const doc = (text: string) => JSON.stringify(text);

/** SDL of the stream fusions (their Subscription fields: streamFusionSubscriptionFields). Uses the streams' window inputs. */
export function buildStreamFusionTypeDefs(config: Config): string {
  const fusions = Object.values(config.streamFusions);
  if (fusions.length === 0) return '';
  return [MEMBER_TYPE, ...fusions.map(fusionTypes)].join('\n');
}

/** The Subscription fields of the stream fusions. */
export function streamFusionSubscriptionFields(config: Config): string[] {
  return Object.values(config.streamFusions).map(
    (f) => `  ${doc(`Windows of ${Object.keys(f.members).join(', ')} joined (${f.join}) on ${Object.keys(f.keys).join(', ')}; a window closes when every member's stream time passed its end + grace, or a member was idle for ${f.idleTimeoutMs} ms.`)}
  ${f.name}(window: WindowInput!, where: ${f.typeName}Where, orderBy: [${f.typeName}OrderBy!], limit: Int, emit: EmitMode = CHANGES, throttle: String): ${f.typeName}Window!`,
  );
}

function fusionTypes(f: StreamFusionConfig): string {
  const t = f.typeName;
  const keys = Object.values(f.view.dimensions) as { name: string; type: keyof typeof OUTPUT_TYPE }[];
  const measures = Object.values(f.view.measures);
  return `
"Filter on the keys of ${f.name}; it applies to every member's events before they are aggregated."
input ${t}Where {
${keys.map((k) => `  ${k.name}: ${FILTER_INPUT[k.type]}`).join('\n')}
  AND: [${t}Where!]
  OR: [${t}Where!]
  NOT: ${t}Where
}
"One sort key: set exactly one field."
input ${t}OrderBy {
${[...keys, ...measures].map((field) => `  ${field.name}: SortDirection`).join('\n')}
}
"One joined group of a ${f.name} window: the selected keys are the grouping; a member without the key gives null measures."
type ${t}Row {
${keys.map((k) => `  ${k.name}: ${OUTPUT_TYPE[k.type]}`).join('\n')}
${measures.map((m) => `  ${doc(`${m.aggregation} of ${m.text}, from stream ${f.measureMember[m.name]}`)}\n  ${m.name}: Float`).join('\n')}
  "A calculation over this row's measures, across members."
  calc(expr: String!): Float
}
"One version of a fused window [start, end) of ${f.name}."
type ${t}Window {
  "Start of the window: ISO-8601 with the offset of the members' timezone."
  start: String!
  "End of the window (exclusive), in the same format."
  end: String!
  "True on the version emitted when the window closed."
  final: Boolean!
  "0 for the first version of the window, +1 for each change after it."
  revision: Int!
  rows: [${t}Row!]!
  "Members that had not passed end + grace when this version was made but no longer held it back: idle for idleTimeout (or, past 1,000 windows waiting, too far behind). Empty when every member's stream time passed end + grace."
  idle: [String!]!
  "Each member's stream time and idleness when this version was made."
  members: [StreamFusionMember!]!
}`;
}

const MEMBER_TYPE = `
"How one member stream of a stream fusion stood when a window version was made."
type StreamFusionMember {
  stream: String!
  "The member's stream time (largest event time seen), ISO-8601 with offset; null before its first event."
  time: String
  "No event for the fusion's idleTimeout: it no longer holds windows open."
  idle: Boolean!
}
`;
