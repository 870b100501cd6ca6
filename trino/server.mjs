/**
 * startTrino: runs a real single-node Trino (coordinator and worker in one JVM) as a child
 * process, for integration tests, benches and local development. No Docker, no Python
 * launcher: the server comes from Maven Central (install.mjs) and runs on Java 24+ (Trino
 * 476 refuses older ones); JAVA_HOME is TRINO_JAVA_HOME, else the Temurin 25 of these
 * machines when installed, else $JAVA_HOME.
 *
 *   const trino = await startTrino({ port: 8080 });   // resolves once a query over the tpch catalog answers
 *   trino.url;                                          // "http://127.0.0.1:8080"
 *   await trino.stop();
 *
 * The JVM dies with its parent (`setpriv --pdeathsig KILL` where that exists, else an 'exit'
 * hook); only `detached: true` (the CLI's `start --detach`) outlives the caller.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_INSTALL_DIR, ensureTrinoServer, TRINO_HOME, TRINO_VERSION } from './install.mjs';
import { catalogs, configProperties, jvmConfig, logProperties } from './serverConfig.mjs';
import { trinoAnswers } from './trinoAnswers.mjs';

export { trinoAnswers } from './trinoAnswers.mjs';
export const DEFAULT_PORT = 8080;
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;
const TEMURIN_25 = '/usr/lib/jvm/temurin-25-jdk-amd64';
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((file) => existsSync(file));
const liveChildren = new Set();
process.once('exit', () => liveChildren.forEach((child) => child.kill('SIGKILL')));

export function javaHome() {
  return process.env.TRINO_JAVA_HOME ?? (existsSync(TEMURIN_25) ? TEMURIN_25 : process.env.JAVA_HOME);
}

/** The run dir of a port: config, data and server.log live there. */
export function defaultRunDir(port) {
  return join(TRINO_HOME, `run-${port}`);
}

/**
 * Starts Trino on 127.0.0.1:port and resolves once it answers a query over the tpch catalog (trinoAnswers.mjs).
 * @param {{ port?: number, runDir?: string, log?: (line: string) => void, readyTimeoutMs?: number, detached?: boolean, heap?: string }} [options]
 */
export async function startTrino(options = {}) {
  const port = options.port ?? DEFAULT_PORT;
  const log = options.log ?? ((line) => process.stderr.write(`[trino] ${line}\n`));
  const runDir = resolve(options.runDir ?? defaultRunDir(port));
  const url = `http://127.0.0.1:${port}`;
  if (await trinoAnswers(url, 2_000)) {
    throw new Error(`something already answers at ${url} (another Trino?); use it with TRINO_URL=${url} or choose another --port`);
  }
  const installDir = await ensureTrinoServer({ log });
  const etc = join(runDir, 'etc');
  await mkdir(join(etc, 'catalog'), { recursive: true });
  await writeFile(join(etc, 'config.properties'), configProperties({ port, runDir, installDir }));
  await writeFile(join(etc, 'log.properties'), logProperties());
  for (const [name, text] of Object.entries(catalogs())) await writeFile(join(etc, 'catalog', `${name}.properties`), text);

  const java = javaHome() ? join(javaHome(), 'bin', 'java') : 'java';
  const args = [
    ...jvmConfig({ heap: options.heap }),
    `-Dconfig=${join(etc, 'config.properties')}`,
    `-Dlog.levels-file=${join(etc, 'log.properties')}`,
    '-cp',
    join(installDir, 'lib', '*'),
    'io.trino.server.TrinoServer',
  ];
  // The JVM's own output until logging starts (and anything it prints past it); Trino logs to server.log.
  const consoleFile = join(runDir, 'launcher.log');
  const logFile = join(runDir, 'server.log');
  const pidFile = join(runDir, 'server.pid');
  const detached = options.detached === true;
  const [command, commandArgs] = SETPRIV && !detached ? [SETPRIV, ['--pdeathsig', 'KILL', java, ...args]] : [java, args];
  const out = openSync(consoleFile, 'w');
  let child;
  try {
    child = spawn(command, commandArgs, { cwd: runDir, stdio: ['ignore', out, out], detached });
  } finally {
    closeSync(out);
  }
  const exited = once(child, 'exit').catch(() => [null, null]);
  child.on('error', (error) => (child.spawnError = error));
  if (detached) child.unref();
  else liveChildren.add(child);
  exited.then(() => liveChildren.delete(child));
  await writeFile(pidFile, `${child.pid}\n`);
  const started = Date.now();
  log(`Starting Trino ${TRINO_VERSION} at ${url} with ${java}; log: ${logFile}`);
  try {
    await waitUntilReady({ url, child, log, logFiles: [consoleFile, logFile], java, timeoutMs: options.readyTimeoutMs ?? READY_TIMEOUT_MS });
  } catch (error) {
    await terminate(child, exited, 'SIGKILL');
    throw error;
  }
  log(`Trino answered after ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${child.pid})`);
  const stop = async (signal = 'SIGTERM') => {
    await terminate(child, exited, signal);
    await rm(pidFile, { force: true });
  };
  return {
    url,
    port,
    runDir,
    logFile,
    pid: child.pid,
    exited: async () => {
      const [code, signal] = await exited;
      return { code, signal };
    },
    stop: () => stop('SIGTERM'),
    kill: () => stop('SIGKILL'),
  };
}

/** Stops the Trino whose pid file is in runDir (a `--detach` one); false when none ran. */
export async function stopTrinoInDir(runDir, { log = () => {} } = {}) {
  const pidFile = join(resolve(runDir), 'server.pid');
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!pid || !isTrinoJvm(pid)) {
    await rm(pidFile, { force: true });
    return false;
  }
  log(`Stopping Trino (pid ${pid})`);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isTrinoJvm(pid) && Date.now() < deadline) await sleep(200);
  if (isTrinoJvm(pid)) process.kill(pid, 'SIGKILL');
  await rm(pidFile, { force: true });
  return true;
}

async function waitUntilReady({ url, child, log, logFiles, java, timeoutMs }) {
  const started = Date.now();
  let lastReport = started;
  while (Date.now() - started < timeoutMs) {
    if (child.spawnError) throw new Error(`could not start ${java} (Trino ${TRINO_VERSION} needs Java 24+; set TRINO_JAVA_HOME): ${child.spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Trino exited (${child.exitCode ?? child.signalCode}) before it answered; ${logFiles.map((file) => tail(file)).join('\n')}`);
    }
    if (await trinoAnswers(url, 5_000)) return;
    if (Date.now() - lastReport >= 5_000) {
      lastReport = Date.now();
      log(`  ...waiting for Trino (${Math.round((lastReport - started) / 1000)} s)`);
    }
    await sleep(500);
  }
  throw new Error(`Trino at ${url} did not answer within ${timeoutMs / 1000} s; ${logFiles.map((file) => tail(file)).join('\n')}`);
}

async function terminate(child, exited, signal) {
  if (child.exitCode !== null || child.signalCode !== null || child.spawnError) return;
  child.kill(signal);
  const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS, true, { ref: false })]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

function isTrinoJvm(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('io.trino.server.TrinoServer');
  } catch {
    return false;
  }
}

/** The first error lines of a log (Trino prints its cause before a long stack) and its last lines. */
function tail(file, lines = 15) {
  try {
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    const first = text.findIndex((line) => /\tERROR\t/.test(line));
    const cause = first >= 0 ? `${text.slice(first, first + 3).join('\n')}\n...\n` : '';
    return `${file}:\n${cause}${text.slice(-lines).join('\n')}`;
  } catch {
    return `(no ${file})`;
  }
}

export { DEFAULT_INSTALL_DIR };
