import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../kafka/broker.mjs';

export interface TestKafka {
  /** "host:port[,host:port]", for a stream's `kafka.brokers` and for kafkajs clients. */
  readonly brokers: string;
  /** The broker this process started (fault tests stop, kill and restart it); null for KAFKA_BROKERS. */
  readonly broker: RunningBroker | null;
  close(): Promise<void>;
}

/**
 * The Kafka that integration suites run against: KAFKA_BROKERS when it is set (and
 * `own` is not), else a real broker started for this process (kafka/broker.mjs; the jars
 * are fetched on first use). When Kafka cannot be had: under CI=true this throws (a
 * missing service fails the suite, it never skips silently); elsewhere it prints why and
 * returns null so the caller can `describe.skipIf(!kafka)`.
 *
 * `own: true` always starts a broker, for suites that crash and restart it.
 */
export async function connectTestKafka(options: { readonly own?: boolean } = {}): Promise<TestKafka | null> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const external = options.own ? undefined : process.env.KAFKA_BROKERS?.trim();
  try {
    if (external) {
      await assertReachable(external);
      return { brokers: external, broker: null, close: async () => {} };
    }
    const broker = await startBroker({ log: () => {} });
    return { brokers: broker.brokers, broker, close: () => broker.stop() };
  } catch (error) {
    const why = external
      ? `Kafka at KAFKA_BROKERS=${external} is unreachable: ${(error as Error).message}`
      : `could not start a Kafka broker (kafka/broker.mjs needs Java 17 and, on first use, Maven to fetch the jars): ${(error as Error).message}`;
    if (process.env.CI === 'true') throw new Error(`${why} (CI=true: integration suites require it)`);
    console.warn(`SKIPPING Kafka integration suite: ${why}`);
    return null;
  }
}

/** A kafkajs client for tests: quiet, quick to give up on a broker that is down. */
export function testKafkaClient(brokers: string, clientId = 'tributary-test'): Kafka {
  return new Kafka({
    clientId,
    brokers: brokers.split(',').map((b) => b.trim()),
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 30 },
  });
}

/** Creates single-partition topics (so arrival order is produce order), waiting for their leaders. */
export async function createTopics(kafka: Kafka, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Produces `values` to a single-partition topic in order, `chunk` per request with acks from
 * all replicas, and checks each ack: no error, and offsets that continue exactly where the
 * previous request ended (nothing lost, nothing written twice). Returns the next offset.
 */
export async function produceInOrder(producer: Producer, topic: string, values: readonly (string | null)[], firstOffset: number, chunk = 500): Promise<number> {
  let next = firstOffset;
  for (let i = 0; i < values.length; i += chunk) {
    const messages = values.slice(i, i + chunk).map((value) => ({ value }));
    const [ack, ...more] = await producer.send({ topic, acks: -1, messages });
    if (!ack || more.length > 0 || ack.errorCode !== 0 || Number(ack.baseOffset) !== next) {
      throw new Error(`produce to ${topic}: want one ack at offset ${next}, got ${JSON.stringify([ack, ...more])}`);
    }
    next += messages.length;
  }
  return next;
}

async function assertReachable(brokers: string): Promise<void> {
  const admin = new Kafka({
    clientId: 'tributary-test-probe',
    brokers: brokers.split(',').map((b) => b.trim()),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    retry: { retries: 2 },
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
