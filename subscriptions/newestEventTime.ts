import type { StreamConfig } from '../schema/index.ts';
import { createDecoder, type RawRecord } from './decodeEvent.ts';
import { replayKafka, throwawayGroup } from './KafkaReplay.ts';
import { TopicReader } from './TopicReader.ts';

/** Records read from the end of each partition. */
const PEEK_RECORDS = 100;

/**
 * The largest event time among the newest records of a stream's topic (the last
 * PEEK_RECORDS of each partition), or null for a topic with no event. A relative `since`
 * counts back from the stream's time; before the stream has seen an event (its feed just
 * started, or it starts past records stamped long ago) that is what the topic holds now.
 * Bounded by `signal` and by the reader's stall deadline.
 */
export async function newestEventTime(stream: StreamConfig, signal: AbortSignal): Promise<number | null> {
  const kafka = replayKafka(stream);
  const { topic } = stream.kafka;
  const admin = kafka.admin();
  let ends;
  try {
    await admin.connect();
    signal.throwIfAborted();
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect().catch(() => {});
  }
  const ranges = ends.map((e) => ({ partition: e.partition, from: Math.max(Number(e.low), Number(e.high) - PEEK_RECORDS), to: Number(e.high) }));
  if (ranges.every((r) => r.from >= r.to)) return null;
  const decode = createDecoder(stream);
  const reader = new TopicReader(kafka, topic, throwawayGroup(stream, 'peek'), ranges.map((r) => r.partition), Math.max(30_000, stream.connectTimeoutMs));
  let newest: number | null = null;
  try {
    await reader.start(signal);
    await reader.read(
      ranges,
      (_, messages) => {
        const clock = Date.now();
        for (const m of messages) {
          const decoded = decode(m as RawRecord, clock);
          if (decoded.ok && (newest === null || decoded.event.time > newest)) newest = decoded.event.time;
        }
      },
      signal,
    );
  } finally {
    await reader.stop();
  }
  return newest;
}
