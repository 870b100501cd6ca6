#!/usr/bin/env node
/**
 * Runs a real Apache Kafka broker for Tributary on this machine: no Docker, no ZooKeeper.
 * Needs Java 17+ and Maven (`mvn`) on PATH; the first run downloads the Kafka jars named in
 * kafka/pom.xml from Maven Central into .kafka/lib (git-ignored, ~45 MB, once).
 *
 *   npm run kafka                                  # = node kafka/kafka.mjs start
 *   node kafka/kafka.mjs start [--port 9092] [--dir .kafka/data] [--detach]
 *   node kafka/kafka.mjs stop  [--dir .kafka/data]  # stops a --detach broker (pid file)
 *   node kafka/kafka.mjs fetch                      # only download the jars (e.g. CI warm-up)
 *   node kafka/kafka.mjs check [--brokers host:port]
 *                                                   # kafkajs compatibility check (check.mjs)
 *
 * `start` fetches the jars if missing or stale, writes a single-node KRaft config into the
 * data dir (broker on --port, controller on --port + 1, both on 127.0.0.1), formats the
 * storage once, starts the JVM (-Xms256m -Xmx512m; output in <dir>/broker.log), waits until
 * kafkajs can list topics and find a group coordinator, and prints
 * `Kafka ready at 127.0.0.1:9092`. In the foreground, Ctrl-C (SIGINT) or SIGTERM stops the
 * broker cleanly (SIGKILL if it takes over 30 s); a second Ctrl-C kills it at once.
 * Data persists in the data dir across runs; delete the dir for an empty broker.
 *
 * Tests use the API instead: `startBroker()` from kafka/broker.mjs (free ports, temp dir).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startBroker, stopBrokerInDir } from './broker.mjs';
import { ensureKafkaJars, REPO_ROOT } from './jars.mjs';
import { parsePort, runInForeground } from '../services/runInForeground.mjs';

const USAGE = 'usage: node kafka/kafka.mjs start [--port 9092] [--dir .kafka/data] [--detach] | stop [--dir DIR] | fetch | check [--brokers HOST:PORT]';
const DEFAULT_DIR = resolve(REPO_ROOT, '.kafka', 'data');
const log = (line) => console.log(line);

async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '9092' },
      dir: { type: 'string' },
      detach: { type: 'boolean', default: false },
      brokers: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command = 'start', ...extra] = positionals;
  if (values.help) return console.log(USAGE);
  if (extra.length > 0) throw new Error(`unexpected arguments ${JSON.stringify(extra)}\n${USAGE}`);
  const dataDir = values.dir ? resolve(values.dir) : DEFAULT_DIR;
  switch (command) {
    case 'start':
      return start({ port: parsePort(values.port, 65534, ' (the controller takes port + 1)'), dataDir, detach: values.detach });
    case 'stop':
      if (!(await stopBrokerInDir(dataDir, { log }))) log(`No Kafka broker is running from ${dataDir}`);
      return;
    case 'fetch':
      await ensureKafkaJars({ log });
      return log('Kafka jars are up to date');
    case 'check': {
      const { runCompatibilityCheck } = await import('./check.mjs');
      return runCompatibilityCheck({ brokers: values.brokers, log });
    }
    default:
      throw new Error(`unknown command "${command}"\n${USAGE}`);
  }
}

async function start({ port, dataDir, detach }) {
  const broker = await startBroker({ port, dataDir, detached: detach, log });
  if (detach) {
    log(`Kafka ready at ${broker.brokers}`);
    log(`Running in the background (pid ${broker.pid}); stop it with: node kafka/kafka.mjs stop --dir ${dataDir}`);
    return;
  }
  log(`Kafka ready at ${broker.brokers}`);
  await runInForeground(broker, { name: 'Kafka', log });
}

main(process.argv.slice(2)).catch((error) => {
  console.error(`kafka: ${error.message}`);
  process.exit(1);
});
