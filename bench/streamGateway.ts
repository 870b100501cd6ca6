import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer, type Gateway, type RunningServer } from '../server/index.ts';

/** The stream every bench:stream gateway serves, under this name. */
export const STREAM = 'orders';

/**
 * The orders stream of DESIGN.md plus `maxSent` (the latest producer send time in a
 * group), which lets a subscriber tell how fresh each window version is.
 */
const STREAM_CONFIG = `
server: { port: 0, graphiql: false }
sources: {}
datasets: {}
streams:
  ${STREAM}:
    kafka: { brokers: "\${BENCH_KAFKA_BROKERS}", topic: "\${BENCH_TOPIC}" }
    timestamp: ts
    dimensions: { region: { type: string }, channel: { type: string } }
    measures:
      revenue:   { sum: amount }
      orders:    { count: "*" }
      maxAmount: { max: amount }
      maxSent:   { max: sentAt }
    grace: 1s
    retention: 1h
`;

export interface StreamGateway {
  readonly gateway: Gateway;
  readonly server: RunningServer;
  /** tributary_stream_events_total of the stream: events the feed decoded and dispatched. */
  events(): Promise<number>;
  /** tributary_subscribers of the stream. */
  subscribers(): Promise<number>;
  /** tributary_stream_late_events_total of the stream. */
  lateEvents(): Promise<number>;
  close(): Promise<void>;
}

/** A gateway in this process, serving the orders stream of `topic` on a free loopback port. */
export async function startStreamGateway(brokers: string, topic: string): Promise<StreamGateway> {
  const config = parseConfig(STREAM_CONFIG, { env: { BENCH_KAFKA_BROKERS: brokers, BENCH_TOPIC: topic } });
  const gateway = await createGateway(config);
  let server: RunningServer;
  try {
    server = await startServer(gateway, { port: 0, host: '127.0.0.1' });
  } catch (error) {
    await gateway.close();
    throw error;
  }
  const read = async (metric: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> }) =>
    (await metric.get()).values.find((v) => v.labels.stream === STREAM)?.value ?? 0;
  return {
    gateway,
    server,
    events: () => read(gateway.metrics.streamEvents),
    subscribers: () => read(gateway.metrics.subscribers),
    lateEvents: () => read(gateway.metrics.streamLateEvents),
    async close() {
      await server.close();
      await gateway.close();
    },
  };
}

/** A subscription document on the orders stream: tumbling windows grouped by region. */
export function windowSubscription(options: { readonly tumble: string; readonly throttle?: string; readonly rows: string }): string {
  const throttle = options.throttle ? `, throttle: "${options.throttle}"` : '';
  return `subscription { ${STREAM}(window: { tumble: "${options.tumble}" }, emit: CHANGES${throttle}) { start end final revision rows { ${options.rows} } } }`;
}
