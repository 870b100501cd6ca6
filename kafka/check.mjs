/**
 * runCompatibilityCheck: proves that kafkajs (the client Tributary uses) works with the broker
 * kafka/pom.xml pins, for everything subscriptions/ needs. Run: node kafka/kafka.mjs check
 *
 * 1. create a topic (2 partitions), produce 1,000 JSON records with explicit timestamps;
 * 2. consume them all with a consumer group from the beginning; record timestamps intact;
 * 3. admin.fetchTopicOffsetsByTimestamp (ListOffsets by time, for replay) gives, per
 *    partition, the first offset at or after the time;
 * 4. only with a broker of our own (no --brokers): while a group consumes slowly, stop the
 *    broker (SIGTERM, 2 s down), then kill it (SIGKILL, 10 s down), restarting it each time;
 *    nothing is lost, and the only re-deliveries are of records past the last committed
 *    offset (at-least-once: committed progress is neither lost nor repeated).
 * Throws on the first failed expectation. CHECK_DATA_DIR keeps the broker's data for a look.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from './broker.mjs';

const COUNT = 1000;
const BASE_TS = Date.UTC(2024, 0, 1); // explicit event times: BASE_TS + i seconds

export async function runCompatibilityCheck({ brokers, log = console.log } = {}) {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const broker = brokers ? null : await startBroker({ log, dataDir: process.env.CHECK_DATA_DIR });
  const kafka = new Kafka({
    clientId: 'tributary-check',
    brokers: [brokers ?? broker.brokers],
    logLevel: logLevel.WARN,
    // One short line per kafkajs complaint: during the outage they are expected.
    logCreator: () => ({ level, log: entry }) => log(`  kafkajs ${level === logLevel.ERROR ? 'ERROR' : 'WARN'}: ${entry.message}`),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topic = `check-${Date.now()}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const sent = await produce(kafka, topic);
    log(`produced ${COUNT} records to ${topic}`);

    const got = await consume(kafka, topic, `check-group-${Date.now()}`);
    expect(got.size === COUNT, `consumed ${got.size} distinct records, want ${COUNT}`);
    for (const [key, record] of got) {
      expect(record.timestamp === sent.get(record.value.i), `${key}: timestamp ${record.timestamp}, want ${sent.get(record.value.i)}`);
    }
    log(`consumed ${COUNT} records with a consumer group; timestamps intact`);

    await checkOffsetsByTimestamp(admin, topic, got);
    log('fetchTopicOffsetsByTimestamp returns the first offset at or after the time');

    if (broker) {
      await checkRestart(kafka, admin, broker, log, 'stop', 2000);
      // 10 s down: longer than kafkajs's retry budget, so the consumer crashes and restarts.
      await checkRestart(kafka, admin, broker, log, 'kill', 10_000);
    }
    log('kafkajs compatibility check passed');
  } finally {
    await admin.disconnect();
    await broker?.stop();
  }
}

async function produce(kafka, topic, count = COUNT) {
  const producer = kafka.producer();
  await producer.connect();
  const sent = new Map();
  const messages = Array.from({ length: count }, (_, i) => {
    const ts = BASE_TS + i * 1000;
    sent.set(i, String(ts));
    return { key: `k${i % 7}`, value: JSON.stringify({ i, amount: i * 1.5, region: `r${i % 3}` }), timestamp: String(ts) };
  });
  for (let i = 0; i < messages.length; i += 250) await producer.send({ topic, messages: messages.slice(i, i + 250) });
  await producer.disconnect();
  return sent;
}

/**
 * Consumes `topic` from the beginning until every one of COUNT records has been seen.
 * Returns "partition:offset" → record, and records every delivery in `deliveries`.
 */
async function consume(kafka, topic, groupId, { onMessage = () => {}, onCommit = () => {}, onEvent, deliveries = [], slow = false, timeoutMs = 120_000 } = {}) {
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: slow ? 4096 : 1048576 });
  consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => onCommit(payload));
  if (onEvent) {
    const { GROUP_JOIN, CRASH, REBALANCING, STOP } = consumer.events;
    for (const name of [GROUP_JOIN, CRASH, REBALANCING, STOP]) consumer.on(name, (event) => onEvent(event));
  }
  const got = new Map();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise((resolve) => {
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        const key = `${partition}:${message.offset}`;
        deliveries.push(key);
        got.set(key, { timestamp: message.timestamp, value: JSON.parse(message.value.toString()) });
        onMessage(got.size);
        if (slow) await sleep(3);
        if (got.size === COUNT) resolve();
      },
    });
  });
  const timedOut = await Promise.race([done.then(() => false), sleep(timeoutMs, true, { ref: false })]);
  await consumer.disconnect();
  expect(!timedOut, `consumed only ${got.size} of ${COUNT} records of ${topic} within ${timeoutMs / 1000} s`);
  return got;
}

async function checkOffsetsByTimestamp(admin, topic, got) {
  for (const i of [0, 1, 499, 999]) {
    const ts = BASE_TS + i * 1000;
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, ts);
    for (const { partition, offset } of offsets) {
      const inPartition = [...got].filter(([key]) => key.startsWith(`${partition}:`));
      const later = inPartition.filter(([, r]) => Number(r.timestamp) >= ts).map(([key]) => Number(key.split(':')[1]));
      // No record at or after ts: Kafka answers -1 and kafkajs substitutes the high watermark.
      const want = later.length > 0 ? Math.min(...later) : inPartition.length;
      expect(Number(offset) === want, `partition ${partition} at ${new Date(ts).toISOString()}: offset ${offset}, want ${want}`);
    }
  }
  // After the last record of every partition: the high watermarks.
  const after = await admin.fetchTopicOffsetsByTimestamp(topic, BASE_TS + COUNT * 1000);
  const high = await admin.fetchTopicOffsets(topic);
  for (const { partition, offset } of after) {
    const want = high.find((h) => h.partition === partition).high;
    expect(offset === want, `partition ${partition} after the end: offset ${offset}, want high watermark ${want}`);
  }
}

async function checkRestart(kafka, admin, broker, log, how, outageMs) {
  const topic = `check-restart-${Date.now()}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  await produce(kafka, topic);
  const groupId = `check-restart-group-${Date.now()}`;
  const deliveries = [];
  const committed = new Map(); // partition → last offset committed before the restart
  let restarting = null;
  const got = await consume(kafka, topic, groupId, {
    deliveries,
    slow: true,
    onEvent({ type, payload }) {
      const detail = type.endsWith('crash') ? `${payload.error.name}: ${payload.error.message} (restart: ${payload.restart})` : type.endsWith('group_join') ? `as ${payload.memberId}, assigned ${JSON.stringify(payload.memberAssignment)}` : '';
      log(`  consumer ${type} ${detail}`);
    },
    onCommit(payload) {
      if (restarting?.done) return;
      for (const p of payload.topics[0].partitions) committed.set(p.partition, Number(p.offset));
    },
    onMessage(distinct) {
      if (distinct !== 300 || restarting) return;
      restarting = { done: false, started: Date.now() };
      log(`${how === 'kill' ? 'killing (SIGKILL)' : 'stopping (SIGTERM)'} the broker after 300 records...`);
      broker[how]()
        .then(async () => {
          restarting.done = true;
          await sleep(outageMs);
          log(`restarting the broker after ${outageMs / 1000} s down...`);
          await broker.restart();
        })
        .catch((error) => log(`restart failed: ${error.stack}`));
    },
  });
  const seconds = ((Date.now() - restarting.started) / 1000).toFixed(1);
  const counts = new Map();
  for (const key of deliveries) counts.set(key, (counts.get(key) ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([key]) => key);
  expect(got.size === COUNT, `after the restart: ${got.size} distinct records, want ${COUNT}`);
  const final = await admin.fetchOffsets({ groupId, topics: [topic] });
  const total = final[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);
  // Re-delivered records must all lie past the offsets committed before the broker stopped.
  const repeatedCommitted = duplicates.filter((key) => {
    const [partition, offset] = key.split(':').map(Number);
    return offset < (committed.get(partition) ?? 0);
  });
  expect(repeatedCommitted.length === 0, `records re-delivered although committed: ${repeatedCommitted.slice(0, 10).join(', ')}`);
  log(
    `broker ${how} + restart mid-consumption: ${COUNT} of ${COUNT} records, ${duplicates.length} re-delivered (uncommitted at the stop), ` +
      `0 lost; committed before stop ${JSON.stringify(Object.fromEntries(committed))}, final committed total ${total}; consumer done ${seconds} s after the stop`,
  );
}

function expect(condition, message) {
  if (!condition) throw new Error(`kafka check failed: ${message}`);
}
