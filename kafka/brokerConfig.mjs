/**
 * The files a single-node KRaft broker runs from: server.properties, log4j2.properties and
 * its cluster id. Pure functions of their inputs, so the settings are easy to read in one place.
 */
import { randomBytes } from 'node:crypto';

/**
 * A Kafka cluster id: 16 random bytes, base64url without padding (what
 * `kafka-storage random-uuid` prints). Kafka rejects ids that start with '-'.
 */
export function randomClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * server.properties for one process that is both broker and controller, on 127.0.0.1 only.
 * Sized for tests on a 2-core machine: single partitions for the internal topics (fast first
 * group join), few threads, small segments, no replication anywhere.
 * @param {{ port: number, controllerPort: number, logDir: string }} options
 */
export function serverProperties({ port, controllerPort, logDir }) {
  const settings = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    // Kafka 4.x dynamic quorum (KIP-853); the storage is formatted with --standalone.
    'controller.quorum.bootstrap.servers': `127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': logDir,

    'auto.create.topics.enable': true,
    'num.partitions': 1,
    'default.replication.factor': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    // After a crash (SIGKILL) the restarted broker cannot register until the controller
    // expires its old session (DUPLICATE_BROKER_REGISTRATION): 9 s by default, 4 s here.
    'broker.session.timeout.ms': 4000,
    'broker.heartbeat.interval.ms': 1000,

    // Tests produce records with explicit (sometimes synthetic) event times; Kafka 4.x
    // rejects timestamps more than 1 h in the future by default (INVALID_TIMESTAMP).
    'log.message.timestamp.before.max.ms': '9223372036854775807',
    'log.message.timestamp.after.max.ms': '9223372036854775807',

    // Retention by size only, never by time: retention time is measured against record
    // timestamps, and tests replay records stamped in the past (a 24 h limit deleted a topic
    // of 2024-dated records within a minute, and kafkajs then reset the group to the empty
    // end: "Offset out of range, resetting to default offset"). 256 MiB per partition.
    'log.retention.ms': -1,
    'log.retention.bytes': 256 * 1024 * 1024,
    'log.segment.bytes': 8 * 1024 * 1024,
    'log.retention.check.interval.ms': 60_000,
    'log.cleaner.dedupe.buffer.size': 8 * 1024 * 1024,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    'background.threads': 4,
  };
  return `${Object.entries(settings).map(([key, value]) => `${key}=${value}`).join('\n')}\n`;
}

/** log4j2 configuration: one console appender (the parent sends it to broker.log). */
export function log4j2Properties(level = 'INFO') {
  return [
    `rootLogger.level=${level}`,
    'rootLogger.appenderRef.stdout.ref=STDOUT',
    'appender.stdout.type=Console',
    'appender.stdout.name=STDOUT',
    'appender.stdout.layout.type=PatternLayout',
    'appender.stdout.layout.pattern=[%d] %p %m (%c)%n',
    // The config dumps and per-request state changes drown out what matters in a test log.
    'logger.config.name=org.apache.kafka.common.config.AbstractConfig',
    'logger.config.level=WARN',
    'logger.state.name=state.change.logger',
    'logger.state.level=WARN',
    '',
  ].join('\n');
}
