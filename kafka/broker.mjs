/**
 * startBroker: runs a real Apache Kafka broker (KRaft, one JVM that is broker and controller)
 * as a child process, for integration tests and local development. No Docker, no ZooKeeper:
 * the jars come from Maven Central (kafka/pom.xml, see jars.mjs) and run on the local Java 17.
 *
 *   const broker = await startBroker({ log: () => {} });   // free ports, temporary data dir
 *   process.env.KAFKA_BROKERS = broker.brokers;              // "127.0.0.1:PORT"
 *   await broker.kill(); await broker.restart();             // fault tests: crash, recover
 *   await broker.stop();
 *
 * Version: Kafka 4.3.1, the newest 4.x that resolves from Maven Central (4.4.0 is listed but
 * "Could not find artifact org.apache.kafka:kafka-tools-api:jar:4.4.0 in central").
 * kafkajs 2.2.4 works with it; no fallback to 3.9.x is needed. Kafka 4.0 removed the oldest
 * protocol versions (KIP-896), but kafkajs picks each API's version from ApiVersions and
 * every API it uses still has one both sides speak: topic admin, produce with explicit
 * timestamps, consumer groups with commits, ListOffsets by time
 * (admin.fetchTopicOffsetsByTimestamp) all pass kafka/check.mjs; no UNSUPPORTED_VERSION.
 *
 * Behaviour worth knowing in fault tests (seen with kafka/check.mjs):
 * - stop() + restart(): a kafkajs consumer reconnects by itself and continues from its
 *   in-memory position: nothing lost, nothing re-delivered.
 * - kill() + restart(): the broker needs ~6 s to come back (it must wait out its own old
 *   registration, broker.session.timeout.ms = 4 s here), and Kafka 4.x re-elects the single
 *   replica through an "unclean" election (KIP-966) without losing acknowledged records.
 *   If the outage outlasts kafkajs's retries, the consumer crashes and restarts itself
 *   (KafkaJSNumberOfRetriesExceeded, restart: true) as a new group member, re-delivering from
 *   the last committed offsets (at-least-once), and the coordinator waits for the dead
 *   member's session (kafkajs default 30 s) before it rebalances: use a short sessionTimeout.
 * - Time retention would delete records stamped in the past, so it is off (brokerConfig.mjs).
 *
 * The JVM dies with its parent: it is started through `setpriv --pdeathsig KILL` where that
 * exists (Linux util-linux), and is SIGKILLed from a process 'exit' hook otherwise; only
 * `detached: true` (the CLI's `start --detach`) outlives the caller.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { log4j2Properties, randomClusterId, serverProperties } from './brokerConfig.mjs';
import { classpath, ensureKafkaJars, kafkaVersion } from './jars.mjs';

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;
const JAVA = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((file) => existsSync(file));

/** Children and temporary data dirs to clean up if this process exits without stop(). */
const liveChildren = new Set();
const tempDirs = new Set();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

/**
 * Starts a broker and resolves once it serves metadata and group-coordinator requests.
 * @param {import('./broker.d.mts').StartBrokerOptions} [options]
 * @returns {Promise<import('./broker.d.mts').RunningBroker>}
 */
export async function startBroker(options = {}) {
  const log = getValidLog(options.log);
  const detached = options.detached === true;
  const jvmOptions = getValidJvmOptions(options.jvmOptions);
  const readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const dataDir = options.dataDir ? resolve(options.dataDir) : makeTempDataDir();
  const paths = dataDirPaths(dataDir);
  await refuseIfRunning(paths.pidFile, dataDir);
  const recorded = await readJson(paths.stateFile);
  const port = getValidPort(options.port, 'port') || recorded?.port || (await freePort());
  const controllerPort =
    getValidPort(options.controllerPort, 'controllerPort') ||
    (recorded?.port === port ? recorded.controllerPort : 0) ||
    (options.port ? port + 1 : await freePort(port));
  // Fail fast, before any download or formatting, when the ports are taken.
  await assertPortFree(port, 'port');
  await assertPortFree(controllerPort, 'controller port');
  const libDir = await ensureKafkaJars({ libDir: options.libDir, log });

  await mkdir(dataDir, { recursive: true });
  await rotateLog(paths.logFile);
  await writeFile(paths.properties, serverProperties({ port, controllerPort, logDir: paths.logDir }));
  await writeFile(paths.log4j, log4j2Properties());
  if (!existsSync(join(paths.logDir, 'meta.properties'))) {
    log(`Formatting KRaft storage in ${paths.logDir}`);
    await formatStorage({ libDir, paths });
  }
  await writeFile(paths.stateFile, `${JSON.stringify({ version: kafkaVersion(), port, controllerPort }, null, 2)}\n`);

  const brokers = `127.0.0.1:${port}`;
  let child = null;
  const launch = async () => {
    await assertPortFree(port, 'port');
    await assertPortFree(controllerPort, 'controller port');
    const started = Date.now();
    log(`Starting Kafka ${kafkaVersion()} at ${brokers} (controller ${controllerPort}); log: ${paths.logFile}`);
    child = spawnJvm({ libDir, paths, detached, jvmOptions });
    await writeFile(paths.pidFile, `${child.pid}\n`);
    await waitUntilReady({ brokers, child, log, logFile: paths.logFile, timeoutMs: readyTimeoutMs });
    log(`Kafka answered after ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${child.pid})`);
  };
  const stopWith = async (signal) => {
    if (!child) return;
    const exiting = child;
    child = null;
    await terminate(exiting, signal);
    await rm(paths.pidFile, { force: true });
  };

  await launch();
  return {
    brokers,
    port,
    controllerPort,
    dataDir,
    logFile: paths.logFile,
    version: kafkaVersion(),
    get pid() {
      return child?.pid ?? null;
    },
    exited: async () => {
      const [code, signal] = (await child?.exited) ?? [null, null];
      return { code, signal };
    },
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    restart: async () => {
      await stopWith('SIGTERM');
      await launch();
    },
  };
}

/**
 * Stops the broker whose pid file is in dataDir (one started with `detached: true`):
 * SIGTERM, then SIGKILL after timeoutMs. Resolves false when none was running.
 */
export async function stopBrokerInDir(dataDir, { timeoutMs = STOP_TIMEOUT_MS, log = () => {} } = {}) {
  const { pidFile } = dataDirPaths(resolve(dataDir));
  const pid = runningBrokerPid(pidFile);
  if (pid === null) {
    await rm(pidFile, { force: true });
    return false;
  }
  log(`Stopping Kafka (pid ${pid})`);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    log(`Kafka did not stop within ${timeoutMs / 1000} s; killing it`);
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(50);
  }
  await rm(pidFile, { force: true });
  return true;
}

function dataDirPaths(dataDir) {
  return {
    properties: join(dataDir, 'server.properties'),
    log4j: join(dataDir, 'log4j2.properties'),
    logDir: join(dataDir, 'kraft-logs'),
    logFile: join(dataDir, 'broker.log'),
    pidFile: join(dataDir, 'broker.pid'),
    stateFile: join(dataDir, 'broker.json'),
  };
}

/**
 * JVM flags. C1 only (-XX:TieredStopAtLevel=1): a test broker starts in ~3 s instead of 4-7 s
 * on 2 cores and never runs long enough to need C2's peak speed. `jvmOptions`, then
 * $KAFKA_OPTS (as Kafka's own scripts), come last, so they override (e.g. '-Xmx1g').
 */
function jvmArgs({ libDir, paths, jvmOptions = [] }) {
  return [
    '-Xms256m',
    '-Xmx512m',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${paths.log4j}`,
    ...jvmOptions,
    ...(process.env.KAFKA_OPTS?.split(/\s+/).filter(Boolean) ?? []),
    '-cp',
    classpath(libDir),
  ];
}

function spawnJvm({ libDir, paths, detached, jvmOptions }) {
  const args = [...jvmArgs({ libDir, paths, jvmOptions }), 'kafka.Kafka', paths.properties];
  const [command, commandArgs] =
    SETPRIV && !detached ? [SETPRIV, ['--pdeathsig', 'KILL', JAVA, ...args]] : [JAVA, args];
  // The JVM writes straight to broker.log (a file descriptor, not a pipe through Node), so
  // its output survives this process in detached mode and costs the event loop nothing.
  const out = openSync(paths.logFile, 'a');
  try {
    const child = spawn(command, commandArgs, { stdio: ['ignore', out, out], detached });
    child.exited = once(child, 'exit').catch(() => [null, null]);
    // A spawn failure (no java) emits 'error' but not 'exit': waitUntilReady reports it.
    child.on('error', (error) => {
      child.spawnError = error;
    });
    if (detached) child.unref();
    else liveChildren.add(child);
    child.exited.then(() => liveChildren.delete(child));
    return child;
  } finally {
    closeSync(out);
  }
}

async function formatStorage({ libDir, paths }) {
  const args = [...jvmArgs({ libDir, paths }), 'kafka.tools.StorageTool', 'format'];
  args.push('--cluster-id', randomClusterId(), '--config', paths.properties, '--standalone');
  const out = openSync(paths.logFile, 'a');
  try {
    const child = spawn(JAVA, args, { stdio: ['ignore', out, out] });
    const [code] = await once(child, 'exit').catch((error) => {
      throw new Error(`could not run ${JAVA} (Java 17+ is required; set JAVA_HOME or PATH): ${error.message}`);
    });
    if (code !== 0) {
      throw new Error(`kafka.tools.StorageTool format exited with ${code}:\n${tail(paths.logFile)}`);
    }
  } finally {
    closeSync(out);
  }
}

/**
 * Polls with a kafkajs admin client until the broker lists topics and answers for a group
 * (FindCoordinator creates __consumer_offsets, so the first consumer does not have to wait).
 */
async function waitUntilReady({ brokers, child, log, logFile, timeoutMs }) {
  const kafka = new Kafka({
    clientId: 'tributary-kafka-ready',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  const started = Date.now();
  let lastReport = started;
  let lastError = null;
  while (Date.now() - started < timeoutMs) {
    if (child.spawnError) {
      throw new Error(`could not start ${JAVA} (Java 17+ is required; set JAVA_HOME or PATH): ${child.spawnError.message}`);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Kafka exited (${child.exitCode ?? child.signalCode}) before it was ready; ${logFile} ends:\n${tail(logFile)}`);
    }
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      await admin.describeGroups(['tributary-kafka-ready']);
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    if (Date.now() - lastReport >= 5000) {
      lastReport = Date.now();
      log(`  ...waiting for Kafka (${Math.round((lastReport - started) / 1000)} s): ${lastError?.message}`);
    }
    await sleep(250);
  }
  await terminate(child, 'SIGKILL');
  throw new Error(`Kafka at ${brokers} was not ready within ${timeoutMs / 1000} s (last error: ${lastError?.message}); ${logFile} ends:\n${tail(logFile)}`);
}

/** Sends signal, waits up to STOP_TIMEOUT_MS for the exit, then SIGKILLs. */
async function terminate(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null || child.spawnError) return;
  child.kill(signal);
  const timedOut = await Promise.race([child.exited.then(() => false), sleep(STOP_TIMEOUT_MS, true, { ref: false })]);
  if (timedOut) {
    child.kill('SIGKILL');
    await child.exited;
  }
}

async function refuseIfRunning(pidFile, dataDir) {
  const pid = runningBrokerPid(pidFile);
  if (pid !== null) {
    throw new Error(`a Kafka broker (pid ${pid}) is already running from ${dataDir}; stop it first: node kafka/kafka.mjs stop --dir ${dataDir}`);
  }
}

/** The pid in pidFile if that process is alive and is a Kafka JVM, else null. */
function runningBrokerPid(pidFile) {
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka') ? pid : null;
  } catch {
    return pid; // no /proc (not Linux): trust the pid file
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** A port the OS reports free right now (bind to 0, read it, close), other than `not`. */
async function freePort(not = 0) {
  for (;;) {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address();
    server.close();
    await once(server, 'close');
    if (port !== not) return port;
  }
}

async function assertPortFree(port, what) {
  const server = net.createServer();
  server.listen(port, '127.0.0.1');
  const [outcome] = await Promise.race([once(server, 'listening').then(() => ['free']), once(server, 'error')]);
  if (outcome !== 'free') {
    const reason = outcome.code === 'EADDRINUSE' ? 'is already in use (another Kafka?)' : `cannot be bound: ${outcome.message}`;
    throw new Error(`Kafka ${what} 127.0.0.1:${port} ${reason}; choose another with --port, or point KAFKA_BROKERS at the broker that is running`);
  }
  server.close();
  await once(server, 'close');
}

/** broker.log is appended to across restarts; past 10 MiB it becomes broker.log.1. */
async function rotateLog(logFile) {
  const size = await stat(logFile).then((info) => info.size, () => 0);
  if (size > 10 * 1024 * 1024) await rename(logFile, `${logFile}.1`);
}

function makeTempDataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-kafka-'));
  tempDirs.add(dir);
  return dir;
}

async function readJson(file) {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return null;
  }
}

function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** 0 or undefined mean "pick a free port". */
function getValidPort(value, name) {
  if (value === undefined || value === null) return 0;
  if (!Number.isInteger(value) || value < 0 || value > 65534) {
    throw new TypeError(`startBroker: ${name} must be an integer from 0 (any free port) to 65534, received ${JSON.stringify(value)}`);
  }
  return value;
}

function getValidJvmOptions(value) {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new TypeError(`startBroker: jvmOptions must be an array of strings such as ['-Xmx1g'], received ${JSON.stringify(value)}`);
  }
  return value;
}

function getValidLog(value) {
  if (value === undefined) return (line) => process.stderr.write(`[kafka] ${line}\n`);
  if (typeof value !== 'function') {
    throw new TypeError(`startBroker: log must be a function (line: string) => void, received ${typeof value}`);
  }
  return value;
}
