import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type RunningBroker } from '../kafka/broker.mjs';
import { orderEvent } from './orderEvents.ts';

export interface BenchKafka {
  /** "host:port[,host:port]" for kafkajs and for the stream config. */
  readonly brokers: string;
  /** Where the brokers came from, for the report. */
  readonly description: string;
  /** A quiet kafkajs client. */
  client(clientId: string): Kafka;
  /** Creates a topic and waits for its leaders. */
  createTopic(topic: string, partitions: number): Promise<void>;
  /** Stops the broker this process started (nothing for KAFKA_BROKERS). */
  close(): Promise<void>;
}

/** KAFKA_BROKERS when set, else a real broker started for this run (kafka/broker.mjs). */
export async function connectBenchKafka(log: (line: string) => void): Promise<BenchKafka> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const external = process.env.KAFKA_BROKERS?.trim();
  let broker: RunningBroker | null = null;
  if (!external) {
    log('starting a Kafka broker (kafka/broker.mjs)');
    broker = await startBroker({ log: (line) => log(`  [kafka] ${line}`) });
  }
  const brokers = external || broker!.brokers;
  const client = (clientId: string) =>
    new Kafka({ clientId, brokers: brokers.split(',').map((b) => b.trim()), logLevel: logLevel.NOTHING, retry: { retries: 10 } });
  return {
    brokers,
    description: broker ? `Kafka ${broker.version} started by this run at ${brokers} (pid ${broker.pid})` : `KAFKA_BROKERS=${brokers}`,
    client,
    async createTopic(topic, partitions) {
      const admin = client('tributary-bench-admin').admin();
      await admin.connect();
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
      } finally {
        await admin.disconnect();
      }
    },
    close: async () => broker?.stop(),
  };
}

/**
 * Produces `count` orders (untimed set-up), `chunk` per request, one request at a time so a
 * single partition holds them in order. Event times run 1 ms apart and end about now.
 * Returns the event time of the last order.
 */
export async function seedOrders(kafka: BenchKafka, topic: string, count: number, log: (line: string) => void, chunk = 5_000): Promise<number> {
  const producer = kafka.client('tributary-bench-seed').producer();
  await producer.connect();
  const firstTs = Date.now() - count;
  try {
    for (let i = 0; i < count; i += chunk) {
      const messages = [];
      for (let j = i; j < Math.min(count, i + chunk); j++) messages.push({ value: JSON.stringify(orderEvent(j, firstTs + j)) });
      await producer.send({ topic, acks: -1, messages });
      if ((i / chunk) % 20 === 19) log(`  produced ${(i + messages.length).toLocaleString('en-US')} / ${count.toLocaleString('en-US')}`);
    }
  } finally {
    await producer.disconnect();
  }
  return firstTs + count - 1;
}
