import { Kafka, logLevel } from 'kafkajs';
import { demoOrder } from '../subscriptions/index.ts';

/**
 * With KAFKA_BROKERS set, the demo writes its generated orders to the stream's topic (about
 * `perSecond` a second, in small batches) and the gateway reads them back like any topic.
 * Returns a stop function.
 */
export async function produceDemoOrders(brokers: string, topic: string, log: (line: string) => void, perSecond = 40): Promise<() => Promise<void>> {
  const kafka = new Kafka({ clientId: 'tributary-demo-producer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  let sequence = 0;
  let sending = false;
  const timer = setInterval(() => {
    if (sending) return; // a slow broker: skip a tick rather than pile up sends
    sending = true;
    const now = Date.now();
    const messages = Array.from({ length: Math.max(1, perSecond / 10) }, () => ({ value: JSON.stringify(demoOrder(sequence++, now)) }));
    producer
      .send({ topic, messages })
      .catch((error: Error) => log(`demo producer: ${error.message}`))
      .finally(() => (sending = false));
  }, 100);
  log(`demo orders are produced to Kafka topic ${topic} at ${brokers}`);
  return async () => {
    clearInterval(timer);
    await producer.disconnect();
  };
}
